# SPDX-License-Identifier: Apache-2.0
"""The Ansible role of packaging/ansible run by the real `ansible-playbook` against localhost
(connection local), through the example playbook site.yml: the binary and the lock copied,
`install --locked` run and judged from its JSON, `envsetup verify --json` run on a fake GPU host
(tests/fakes' libcuda in a sysroot), each host's result written and summarized.

`install --locked` is not in this envsetup yet: the role's envsetup_install_program points at
a stand-in written here that speaks its JSON. Once `envsetup install --locked` is merged,
RealInstallLocked below stops skipping itself (docs/fleet.md, "Status").

Skipped (visibly) without ansible-playbook: packaging/install-deps.sh installs it.
Run by CTest with ENVSETUP_BIN, ENVSETUP_SOURCE_DIR and ENVSETUP_FAKE_CUDA set.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

import test_cli_verify

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = pathlib.Path(os.environ["ENVSETUP_SOURCE_DIR"])
PLAYBOOK = SOURCE / "packaging" / "ansible" / "site.yml"
SUMMARY = SOURCE / "packaging" / "ansible" / "roles" / "envsetup" / "files" / "envsetup_fleet_summary.py"
ANSIBLE_PLAYBOOK = shutil.which("ansible-playbook")
NO_ANSIBLE = "ansible-playbook is not installed (packaging/install-deps.sh installs the Debian package `ansible`)"

# Speaks `envsetup install --locked LOCK --venv VENV --json [--bundle DIR]` as LOCKED's command
# will: JSON events, the last line the result; a venv that already holds this lock is a no-op.
# It records its command line in ARGV_LOG.
STAND_IN = r'''#!PYTHON
import hashlib, json, os, pathlib, sys
args = sys.argv[1:]
with open(ARGV_LOG, "a") as log:
    log.write(json.dumps(args) + "\n")
def flag(name):
    return args[args.index(name) + 1] if name in args else None
if args[:2] != ["install", "--locked"] or "--json" not in args:
    print("stand-in: unexpected command line", args, file=sys.stderr)
    sys.exit(2)
if os.environ.get("FAKE_INSTALL_REFUSE"):
    print(json.dumps({"ok": False, "error": {"kind": "no_solution",
        "message": "this host cannot use the lock " + flag("--locked"),
        "causes": ["GPU 0 (7.5) is not covered by the lock's targets sm_80, sm_90"],
        "hints": ["lock again on a host with this GPU, or add it with --gpu 7.5"]}}))
    sys.exit(3)
bundle = flag("--bundle")
if bundle is not None and not os.path.isfile(os.path.join(bundle, "simple", "index.html")):
    print(json.dumps({"ok": False, "error": {"kind": "environment", "message": "no bundle in " + bundle,
                                             "causes": [], "hints": []}}))
    sys.exit(1)
digest = hashlib.sha256(pathlib.Path(flag("--locked")).read_bytes()).hexdigest()
receipt = pathlib.Path(flag("--venv"), ".envsetup", "lock.sha256")
done = receipt.is_file() and receipt.read_text() == digest
if not done:
    print(json.dumps({"event": "download", "file": "torch-2.5.1-cp311-none-linux_x86_64.whl"}))
    receipt.parent.mkdir(parents=True, exist_ok=True)
    receipt.write_text(digest)
print(json.dumps({"event": "result", "ok": True, "venv": flag("--venv"), "already_installed": done}))
'''


class Fleet:
    """One host's worth of files for the role: a fake GPU sysroot, a lock, a bundle, the
    stand-in install program, an inventory with localhost as the only GPU node."""

    def __init__(self, test):
        self.test = test
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="envsetup-ansible-"))
        test.addCleanup(shutil.rmtree, self.root, True)
        self.sysroot = test_cli_verify.driver_host(test)
        self.host = self.root / "host"          # what the role writes "on the host"
        self.reports = self.root / "reports"    # envsetup_report_dir, "on the controller"
        self.lock = self.root / "envsetup.lock"
        self.lock.write_text('schema_version = 1\n# a stand-in: the role copies it, the stand-in hashes it\n')
        self.bundle = self.root / "bundle"
        (self.bundle / "simple").mkdir(parents=True)
        (self.bundle / "simple" / "index.html").write_text("<!DOCTYPE html><html><body></body></html>\n")
        # A bundle holds its lock at the top (Ansible 2.14's copy of a folder with files only in
        # subfolders reports "ok" although it copied them).
        shutil.copy(self.lock, self.bundle / "envsetup.lock")
        self.argv_log = self.root / "install-argv.jsonl"
        self.stand_in = self.root / "install-locked-stand-in"
        self.stand_in.write_text(STAND_IN.replace("PYTHON", sys.executable, 1)
                                 .replace("ARGV_LOG", repr(str(self.argv_log))))
        self.stand_in.chmod(0o755)
        inventory = self.root / "inventory.ini"
        inventory.write_text(f"[gpu_nodes]\nlocalhost ansible_connection=local "
                             f"ansible_python_interpreter={sys.executable}\n")
        (self.root / "ansible.cfg").write_text("[defaults]\n")
        self.inventory = inventory
        self.vars = {
            "ansible_become": False,
            "fleet_report_dir": str(self.reports),
            "envsetup_bin": str(self.host / "bin" / "envsetup"),
            "envsetup_binary_src": BIN,
            "envsetup_dir": str(self.host / "var" / "envsetup"),
            "envsetup_lock_src": str(self.lock),
            "envsetup_bundle_src": str(self.bundle),
            "envsetup_venv": str(self.host / "venv"),
            "envsetup_install_program": str(self.stand_in),
            "envsetup_verify_args": ["--sysroot", self.sysroot, "--size", "32"],
            "envsetup_environment": {},
        }

    def play(self, *extra_args, expect_rc=0, **overrides):
        """Runs site.yml; returns ansible's JSON callback document."""
        extra = self.root / "extra-vars.json"
        extra.write_text(json.dumps({**self.vars, **overrides}))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "FAKE_"))}
        env.update({
            "ANSIBLE_CONFIG": str(self.root / "ansible.cfg"),
            "ANSIBLE_HOME": str(self.root / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(self.root / "ansible-tmp"),
            "ANSIBLE_REMOTE_TEMP": str(self.root / "ansible-tmp"),
            "ANSIBLE_STDOUT_CALLBACK": "json",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_GATHERING": "explicit",
        })
        result = subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(self.inventory), str(PLAYBOOK), "-e", f"@{extra}",
                                 *extra_args], capture_output=True, text=True, env=env, timeout=300)
        self.test.assertEqual(result.returncode, expect_rc, result.stdout[-6000:] + result.stderr[-3000:])
        return json.loads(result.stdout)

    def report(self):
        return json.loads((self.reports / "localhost.json").read_text())

    def install_calls(self):
        if not self.argv_log.exists():
            return []
        return [json.loads(line) for line in self.argv_log.read_text().splitlines()]


def stats(document):
    return document["stats"]["localhost"]


def task_results(document):
    """{task name without its role: localhost's result} over every play (a name seen twice: the last)."""
    return {task["task"]["name"].split(" : ", 1)[-1]: task["hosts"]["localhost"]
            for play in document["plays"] for task in play["tasks"] if "localhost" in task["hosts"]}


def summarize(folder):
    return subprocess.run([sys.executable, str(SUMMARY), str(folder), "--expect", "1"],
                          capture_output=True, text=True, timeout=60)


# The role's own logic (tasks, idempotence, refusals) is the same whatever the binary was built
# with, and the ASan build's binary runs these commands in the other classes; so the role runs
# once per CI, in the Release build (about a minute of playbooks), and skips visibly under ASan.
@unittest.skipUnless(ANSIBLE_PLAYBOOK, NO_ANSIBLE)
@unittest.skipIf(os.environ.get("ENVSETUP_TEST_SANITIZED") == "1",
                 "the Ansible role runs in the Release build only (its logic does not depend on the build)")
class AnsibleRole(unittest.TestCase):
    def test_installs_verifies_and_reruns_as_no_op(self):
        fleet = Fleet(self)
        first = fleet.play()
        self.assertEqual(stats(first)["failures"], 0)
        tasks = task_results(first)
        for copied in ("Copy the envsetup binary", "Copy the lock", "Copy the bundle",
                       "Install the lock (envsetup install --locked)"):
            self.assertTrue(tasks[copied]["changed"], copied)
        self.assertFalse(tasks["Verify the host (envsetup verify --json)"]["changed"])
        self.assertIn("installed", tasks["Check the install result"]["msg"])
        self.assertIn("check(s) passed (driver, gpu-matmul[0])", tasks["Check the verify result"]["msg"])
        self.assertTrue(os.access(fleet.vars["envsetup_bin"], os.X_OK))
        lock_copy = pathlib.Path(fleet.vars["envsetup_dir"], "envsetup.lock")
        self.assertEqual(lock_copy.read_text(), fleet.lock.read_text())
        bundle_copy = pathlib.Path(fleet.vars["envsetup_dir"], "bundle")
        self.assertTrue((bundle_copy / "simple" / "index.html").is_file())
        self.assertEqual(fleet.install_calls(), [[
            "install", "--locked", str(lock_copy), "--venv", fleet.vars["envsetup_venv"], "--json",
            "--bundle", str(bundle_copy)]])
        report = fleet.report()
        self.assertTrue(report["ok"], report)
        self.assertEqual(report["envsetup"].split()[0], "envsetup")
        self.assertEqual(report["install"]["already_installed"], False)
        self.assertEqual([(c["name"], c["status"]) for c in report["verify"]["checks"][:2]],
                         [("driver", "pass"), ("gpu-matmul[0]", "pass")])
        self.assertEqual(report["failed_checks"], [])
        # The same lock again: nothing copied, the stand-in says the venv matches: no change.
        second = fleet.play()
        self.assertEqual((stats(second)["changed"], stats(second)["failures"]), (0, 0), stats(second))
        self.assertIn("nothing to do", task_results(second)["Check the install result"]["msg"])
        self.assertEqual(len(fleet.install_calls()), 2)
        self.assertTrue(fleet.report()["install"]["already_installed"])
        summary = summarize(fleet.reports)
        self.assertEqual(summary.returncode, 0, summary.stdout + summary.stderr)
        self.assertIn("1 of 1 host(s) passed", summary.stdout)

    def test_failed_check_fails_the_host_by_name(self):
        fleet = Fleet(self)
        document = fleet.play(expect_rc=2, envsetup_environment={"FAKE_CUDA_MODE": "wrong"})
        self.assertEqual(stats(document)["failures"], 1)
        message = task_results(document)["Check the verify result"]["msg"]
        self.assertIn("envsetup verify failed on localhost (exit 6): gpu-matmul[0]: GPU 0", message)
        self.assertIn("elements are wrong", message)
        self.assertIn("hint:", message)
        self.assertNotIn("driver:", message)  # only the failing check is named
        report = fleet.report()  # written although the host failed
        self.assertFalse(report["ok"])
        self.assertEqual(report["failed_checks"], ["gpu-matmul[0]"])
        self.assertEqual(report["failed_step"], "verify")
        summary = summarize(fleet.reports)
        self.assertEqual(summary.returncode, 1)
        self.assertIn("FAIL  localhost  gpu-matmul[0]: GPU 0", summary.stdout)

    def test_refused_install_fails_with_the_reason_and_skips_verify(self):
        fleet = Fleet(self)
        document = fleet.play(expect_rc=2, envsetup_environment={"FAKE_INSTALL_REFUSE": "1"})
        tasks = task_results(document)
        message = tasks["Check the install result"]["msg"]
        self.assertIn("envsetup install --locked failed on localhost (exit 3): this host cannot use the lock",
                      message)
        self.assertIn("caused by: GPU 0 (7.5) is not covered", message)
        self.assertIn("hint: lock again", message)
        self.assertNotIn("Verify the host (envsetup verify --json)", tasks)
        report = fleet.report()
        self.assertEqual((report["ok"], report["failed_step"]), (False, "install"))
        self.assertEqual(report["install"]["error"]["kind"], "no_solution")
        self.assertIsNone(report["verify"])
        summary = summarize(fleet.reports)
        self.assertIn("FAIL  localhost  install: this host cannot use the lock", summary.stdout)

    def test_check_mode_changes_nothing_then_verifies_an_installed_host(self):
        fleet = Fleet(self)
        document = fleet.play("--check")
        self.assertEqual(stats(document)["failures"], 0)
        self.assertGreater(stats(document)["changed"], 0)  # what a real run would do
        self.assertFalse(pathlib.Path(fleet.vars["envsetup_bin"]).exists())
        self.assertFalse(pathlib.Path(fleet.vars["envsetup_dir"]).exists())
        self.assertEqual(fleet.install_calls(), [])
        self.assertTrue(task_results(document)["Verify the host (envsetup verify --json)"].get("skipped"))
        fleet.play()
        document = fleet.play("--check")
        self.assertEqual((stats(document)["changed"], stats(document)["failures"]), (0, 0))
        self.assertEqual(len(fleet.install_calls()), 1)  # --check never installs
        self.assertIn("check(s) passed", task_results(document)["Check the verify result"]["msg"])

    def test_verify_only_without_a_lock(self):
        fleet = Fleet(self)
        document = fleet.play(envsetup_install=False, envsetup_lock_src="", envsetup_bundle_src="")
        self.assertEqual(stats(document)["failures"], 0)
        self.assertEqual(fleet.install_calls(), [])
        self.assertFalse(pathlib.Path(fleet.vars["envsetup_dir"]).exists())
        self.assertIsNone(fleet.report()["install"])
        self.assertTrue(fleet.report()["verify"]["ok"])

    def test_missing_lock_is_named(self):
        fleet = Fleet(self)
        document = fleet.play(expect_rc=2, envsetup_lock_src="", envsetup_bundle_src="")
        self.assertIn("no lock at", task_results(document)["Check that the lock is there"]["msg"])
        self.assertEqual(fleet.report()["failed_step"], "lock")
        self.assertEqual(fleet.install_calls(), [])


def envsetup_has_install_locked():
    result = subprocess.run([BIN, "install", "--help"], capture_output=True, text=True, timeout=60)
    return "--locked" in result.stdout


@unittest.skipUnless(ANSIBLE_PLAYBOOK, NO_ANSIBLE)
class RealInstallLocked(unittest.TestCase):
    def test_the_real_commands_error_reaches_ansible(self):
        """The role's default install program (envsetup itself) on a lock it must refuse: its
        own JSON error, whatever it says, fails the host at the install step, named."""
        if not envsetup_has_install_locked():
            self.skipTest("this envsetup has no `install --locked` yet (branch wt-locked); AnsibleRole tests "
                          "the install step with a stand-in")
        fleet = Fleet(self)
        fleet.lock.write_text("this is not a lock\n")
        document = fleet.play(expect_rc=2, envsetup_install_program=fleet.vars["envsetup_bin"],
                              envsetup_bundle_src="")
        message = task_results(document)["Check the install result"]["msg"]
        self.assertRegex(message, r"^envsetup install --locked failed on localhost \(exit [1-9]\d*\): \S")
        report = fleet.report()
        self.assertEqual(report["failed_step"], "install")
        self.assertFalse(report["install"]["ok"])
        self.assertTrue(report["install"]["error"]["message"])


class FleetSummary(unittest.TestCase):
    """The summary script over what the Slurm job of docs/fleet.md writes: one raw
    `envsetup verify --json` per node (no ansible needed)."""

    def test_summary_of_raw_verify_results(self):
        folder = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        good = test_cli_verify.driver_host(self)
        for node, env in (("gpu-01", {}), ("gpu-02", {"FAKE_CUDA_MODE": "wrong"})):
            result = test_cli_verify.run("verify", "--sysroot", good, "--json", "--size", "32", env=env)
            (folder / f"{node}.json").write_text(result.stdout)
        (folder / "gpu-03.json").write_text("srun: error: gpu-03: task 0: Killed\n")
        result = subprocess.run([sys.executable, str(SUMMARY), str(folder), "--expect", "4"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = result.stdout.splitlines()
        self.assertTrue(lines[0].startswith("FAIL  gpu-02  gpu-matmul[0]: GPU 0"), lines)
        self.assertTrue(lines[1].startswith("FAIL  gpu-03  unreadable result:"), lines)
        self.assertEqual(lines[2], "ok    gpu-01  2 check(s) passed")
        self.assertEqual(lines[3], "1 of 3 host(s) passed; 1 expected host(s) have no result")
        as_json = subprocess.run([sys.executable, str(SUMMARY), str(folder), "--json"],
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(as_json.returncode, 1)
        summary = json.loads(as_json.stdout)
        self.assertEqual((summary["hosts"], summary["failed"], summary["missing"]), (3, 2, 0))
