# SPDX-License-Identifier: Apache-2.0
"""`install --framework` streams the installer's output (the log grows while it runs, one live
line on a terminal), stops an installer that goes silent (--idle-timeout), and explains a
failure without network; `doctor`'s fixes fit the host (os-release, containers).

The installer is a fake: a venv folder whose bin/python is a shell script that answers
`python -m pip install ...` as FAKE_PIP_MODE says, so no pip, network or index is needed.
Run by CTest with ENVSETUP_BIN set.
"""
import json
import os
import pathlib
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

BIN = os.environ["ENVSETUP_BIN"]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
HOST = ["--driver", "550.54.15", "--gpu", "8.9", "--python", PYTHON, "--offline"]

FAKE_PYTHON = r"""#!/bin/sh
# A venv's python that only answers `-m pip install ...`.
case "$FAKE_PIP_MODE" in
  slow)
    echo "Collecting torch==2.5.1+cu124"
    i=0
    while [ ! -e "$FAKE_PIP_GO" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
    echo "  Downloading torch-2.5.1+cu124-cp3-none-any.whl (906.4 MB)"
    echo "Successfully installed torch-2.5.1+cu124"
    exit 0 ;;
  silent)
    echo "Collecting torch==2.5.1+cu124"
    exec sleep 120 ;;
  offline)
    echo "WARNING: Retrying (Retry(total=0)) after connection broken by 'NewConnectionError(': Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /whl/cu124/torch/"
    echo "ERROR: Could not find a version that satisfies the requirement torch==2.5.1+cu124 (from versions: none)" >&2
    echo "ERROR: No matching distribution found for torch==2.5.1+cu124" >&2
    exit 1 ;;
esac
exit 3
"""


class InstallerStream(unittest.TestCase):
    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="envsetup-stream-"))
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)
        self.venv = self.work / "venv"
        (self.venv / "bin").mkdir(parents=True)
        (self.venv / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {PYTHON}.0\n")
        python = self.venv / "bin" / "python"
        python.write_text(FAKE_PYTHON)
        python.chmod(0o755)
        self.log = self.venv / ".envsetup" / "install.log"
        self.go = self.work / "go"

    def env(self, mode, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PIP_", "UV_", "ENVSETUP_")) and k != "VIRTUAL_ENV"}
        env.update({"FAKE_PIP_MODE": mode, "FAKE_PIP_GO": str(self.go), "TERM": "dumb"}, **extra)
        return env

    def command(self, *extra):
        return [BIN, "install", "--framework", "torch==2.5.1", "--venv", str(self.venv), *HOST, *extra]

    def test_the_log_grows_while_the_installer_runs(self):
        process = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=self.env("slow"), cwd=self.work)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if self.log.exists() and "Collecting torch==2.5.1+cu124" in self.log.read_text():
                    break
                time.sleep(0.05)
            text = self.log.read_text()
            self.assertIn("Collecting torch==2.5.1+cu124", text)
            # The fake waits for the go file: pip is still running, its first line already logged.
            self.assertIsNone(process.poll())
            self.assertNotIn("Successfully installed", text)
        finally:
            self.go.touch()
            process.communicate(timeout=120)
        text = self.log.read_text()
        self.assertIn("Successfully installed torch-2.5.1+cu124\n[exit status 0]", text)

    def test_a_silent_installer_is_stopped_by_the_idle_timeout(self):
        result = subprocess.run(self.command(), capture_output=True, text=True, timeout=120,
                                env=self.env("silent", ENVSETUP_IDLE_TIMEOUT="2s"), cwd=self.work)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("pip printed nothing for 2 s and was stopped", result.stderr)
        self.assertIn("--idle-timeout", result.stderr)
        self.assertIn("Collecting torch", result.stderr)  # the last lines
        self.assertIn("envsetup: no output for 2 s: killed", self.log.read_text())
        # The flag beats the variable; a bad value is a usage error before anything runs.
        result = subprocess.run(self.command("--idle-timeout", "soon"), capture_output=True, text=True, timeout=60,
                                env=self.env("silent", ENVSETUP_IDLE_TIMEOUT="2s"), cwd=self.work)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--idle-timeout `soon` is not a duration", result.stderr)
        result = subprocess.run(self.command(), capture_output=True, text=True, timeout=60,
                                env=self.env("silent", ENVSETUP_IDLE_TIMEOUT="0"), cwd=self.work)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("ENVSETUP_IDLE_TIMEOUT `0` is not a duration", result.stderr)

    def test_no_network_says_so_and_how_to_use_a_mirror(self):
        result = subprocess.run(self.command(), capture_output=True, text=True, timeout=120,
                                env=self.env("offline"), cwd=self.work)
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn("could not reach", result.stderr)
        self.assertIn("--wheel-mirror", result.stderr)
        self.assertIn("PIP_INDEX_URL", result.stderr)
        self.assertIn("envsetup mirror --lock", result.stderr)
        self.assertIn("No matching distribution found", self.log.read_text())

    def test_a_terminal_shows_one_live_installer_line(self):
        self.go.touch()
        master, slave = pty.openpty()
        try:
            process = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL,
                                       env=self.env("slow", TERM="xterm"), cwd=self.work)
            os.close(slave)
            slave = -1
            seen = b""
            while True:
                ready, _, _ = select.select([master], [], [], 120)
                if not ready:
                    break
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other end closed (Linux: EIO)
                    break
                if not chunk:
                    break
                seen += chunk
            process.communicate(timeout=120)
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)
        self.assertIn(b"\r\x1b[2Kpip: Collecting torch==2.5.1+cu124", seen)


class DoctorHostFit(unittest.TestCase):
    def doctor(self, files):
        root = pathlib.Path(tempfile.mkdtemp(prefix="envsetup-doctor-fit-"))
        self.addCleanup(shutil.rmtree, root)
        for path, content in files.items():
            real = root / path.lstrip("/")
            real.parent.mkdir(parents=True, exist_ok=True)
            real.write_text(content)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENVSETUP_")}
        env["PATH"] = "/nonexistent"  # no host Python's frameworks are checked
        result = subprocess.run([BIN, "doctor", "--sysroot", str(root), "--json"], capture_output=True, text=True,
                                env=env, timeout=120)
        self.assertIn(result.returncode, (0, 6), result.stderr)
        self.report = json.loads(result.stdout)
        return {f["id"]: f for f in self.report["findings"]}

    GPU = {"/sys/bus/pci/devices/0000:01:00.0/vendor": "0x10de\n",
           "/sys/bus/pci/devices/0000:01:00.0/device": "0x2204\n",
           "/sys/bus/pci/devices/0000:01:00.0/class": "0x030000\n"}

    def test_the_driver_fix_is_the_distributions_own(self):
        findings = self.doctor({**self.GPU, "/etc/os-release": 'ID=fedora\nVERSION_ID=40\nNAME="Fedora Linux"\n'})
        self.assertIn("akmod-nvidia", findings["no-driver"]["fix"])
        findings = self.doctor({**self.GPU, "/etc/os-release": 'ID=ubuntu\nVERSION_ID="24.04"\n'})
        self.assertIn("sudo ubuntu-drivers install", findings["no-driver"]["fix"])
        self.assertIn("sudo ubuntu-drivers install", findings["check-failed"]["fix"])  # verify's driver check

    def test_inside_a_container_the_advice_is_gpus_all(self):
        findings = self.doctor({**self.GPU, "/etc/os-release": "ID=ubuntu\n", "/.dockerenv": ""})
        fix = findings["no-driver"]["fix"]
        self.assertIn("--gpus all", fix)
        self.assertIn("NVIDIA Container Toolkit", fix)
        self.assertNotIn("ubuntu-drivers", fix)
        self.assertEqual(self.report["os"], {"id": "ubuntu", "version_id": "", "name": "ubuntu", "family": "ubuntu",
                                             "container": True, "container_evidence": "/.dockerenv exists"})


if __name__ == "__main__":
    unittest.main()
