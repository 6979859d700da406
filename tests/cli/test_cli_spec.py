# SPDX-License-Identifier: Apache-2.0
"""`envsetup spec`: every format for a set of plans, compared with golden files under
tests/data/specs/ and parsed back with real parsers (PyYAML, tomllib, pip itself).

Run by CTest with ENVSETUP_BIN and ENVSETUP_SOURCE_DIR set. To regenerate the golden files after
an intended change, run the module with ENVSETUP_UPDATE_GOLDENS=1, e.g.
  ENVSETUP_UPDATE_GOLDENS=1 ctest --test-dir build/dev -R test_cli_spec
and review the diff. The `# written by envsetup X.Y.Z` line is stored as `VERSION`.
"""
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile
import tomllib
import unittest

import yaml

import wheel_index

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = pathlib.Path(os.environ["ENVSETUP_SOURCE_DIR"])
GOLDEN = SOURCE / "tests" / "data" / "specs"
UPDATE = os.environ.get("ENVSETUP_UPDATE_GOLDENS") == "1"

# name -> request and host flags. Python, driver and GPUs are given, so the plans do not
# depend on the machine running the tests (detection looks into an empty sysroot).
PLANS = {
    "torch-2.5.1-cu124": ["-f", "torch==2.5.1", "--driver", "550.54.15", "--gpu", "8.9", "--python", "3.12",
                          "--with", "torchvision,torchaudio"],
    "torch-2.5.1-cu118": ["-f", "torch==2.5.1", "--driver", "550.54.15", "--gpu", "8.6", "--python", "3.10",
                          "--cuda", "11.8", "--with", "torchvision"],
    "torch-1.12.1-cu116": ["-f", "torch==1.12.1", "--driver", "470.82.01", "--gpu", "7.5", "--python", "3.10"],
    "torch-2.9.0-cu130": ["-f", "torch==2.9.0", "--driver", "580.65.06", "--gpu", "9.0", "--python", "3.12"],
    "tensorflow-2.11.0-cuda": ["-f", "tensorflow==2.11.0", "--driver", "525.60.13", "--gpu", "7.5",
                               "--python", "3.10"],
    "tensorflow-2.17.0-and-cuda": ["-f", "tensorflow==2.17.0", "--driver", "550.54.15", "--gpu", "8.6",
                                   "--python", "3.12"],
    "jax-0.4.30-cuda12": ["-f", "jax==0.4.30", "--driver", "550.54.15", "--gpu", "9.0", "--python", "3.12"],
    "torch-2.5.1-cpu": ["-f", "torch==2.5.1", "--cpu", "--python", "3.11"],
    # CUDA and cuDNN from the system (system_toolkit), a cuDNN substituted within its major (a note).
    "tensorflow-2.13.1-cuda": ["-f", "tensorflow==2.13.1", "--driver", "535.104.05", "--gpu", "8.6",
                               "--python", "3.11"],
    "torch-2.9.0-cu130-aarch64": ["-f", "torch==2.9.0", "--driver", "580.65.06", "--gpu", "9.0", "--python", "3.12",
                                  "--platform", "linux-aarch64", "--glibc", "2.35"],
}
PIXI_PLATFORMS = {"linux-x86_64": "linux-64", "linux-aarch64": "linux-aarch64"}
DOCKER_PLATFORMS = {"linux-x86_64": [], "linux-aarch64": ["--platform=linux/arm64"]}
FORMATS = {"pip": "requirements.txt", "conda": "environment.yml", "pixi": "pixi.toml",
           "docker": "Dockerfile", "apptainer": "envsetup.def"}
VERSION_LINE = re.compile(r"^# written by envsetup \S+$", re.M)


def run(*args):
    env = dict(os.environ)
    env.pop("ENVSETUP_MATRIX", None)
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=60)


class SpecCase(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.sysroot = os.path.join(cls.tmp.name, "root")
        os.mkdir(cls.sysroot)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def spec(self, fmt, flags, *extra):
        result = run("spec", "--format", fmt, *flags, "--sysroot", self.sysroot, *extra)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def plan(self, flags):
        flags = list(flags)
        if "--with" in flags:
            index = flags.index("--with")
            del flags[index:index + 2]
        result = run("resolve", *flags, "--sysroot", self.sysroot, "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def pip_lines(self, flags, *extra):
        """The pip spec as (index options, requirements), comments left out."""
        options, requirements = [], []
        for line in self.spec("pip", flags, *extra).splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            (options if line.startswith("-") else requirements).append(line)
        return options, requirements


class Goldens(SpecCase):
    def test_every_format_matches_its_golden_file(self):
        for name, flags in PLANS.items():
            for fmt, file_name in FORMATS.items():
                with self.subTest(plan=name, format=fmt):
                    text = self.spec(fmt, flags)
                    self.assertRegex(text.splitlines()[0], r"^# \S")
                    self.assertRegex(text, VERSION_LINE)
                    normalized = VERSION_LINE.sub("# written by envsetup VERSION", text)
                    golden = GOLDEN / name / file_name
                    if UPDATE:
                        golden.parent.mkdir(parents=True, exist_ok=True)
                        golden.write_text(normalized)
                    self.assertEqual(normalized, golden.read_text())

    def test_output_file_is_written_instead_of_stdout(self):
        out = os.path.join(self.tmp.name, "environment.yml")
        result = run("spec", "--format", "conda", *PLANS["jax-0.4.30-cuda12"], "--sysroot", self.sysroot,
                     "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertIn("wrote " + out, result.stderr)
        with open(out) as file:
            self.assertEqual(file.read(), self.spec("conda", PLANS["jax-0.4.30-cuda12"]))


class Flags(SpecCase):
    def test_with_takes_a_comma_list_or_repeats(self):
        base = ["-f", "torch==2.5.1", "--driver", "550.54.15", "--gpu", "8.9", "--python", "3.12"]
        listed = self.spec("pip", base + ["--with", "torchvision,torchaudio"])
        repeated = self.spec("pip", base + ["--with", "torchvision", "--with", "torchaudio"])
        self.assertEqual(listed, repeated)
        self.assertIn("torchvision==0.20.1+cu124\ntorchaudio==2.5.1+cu124\n", listed)

    def test_wheel_mirror_replaces_the_pytorch_root(self):
        text = self.spec("pip", PLANS["torch-2.5.1-cu118"], "--wheel-mirror", "http://mirror.lab/pytorch/whl")
        self.assertIn("--extra-index-url http://mirror.lab/pytorch/whl/cu118\n", text)
        self.assertNotIn("download.pytorch.org", text)


class Errors(SpecCase):
    def test_refusal_prints_hints_and_exits_3(self):
        result = run("spec", "--format", "pip", "-f", "torch==2.5.1", "--driver", "390.10", "--gpu", "8.6",
                     "--sysroot", self.sysroot)
        self.assertEqual(result.returncode, 3)
        self.assertEqual(result.stdout, "")
        self.assertIn("envsetup: error: no torch==2.5.1 build works on this host", result.stderr)
        # sm_86 first appeared in CUDA 11.1: its floor (455.23) is above CUDA 11.x's (450.80.02).
        self.assertIn("hint: a driver >= 455.23 would allow torch 2.5.1 cu118", result.stderr)

    def test_usage_errors_exit_2(self):
        base = ["-f", "torch==2.5.1", "--driver", "550.54.15", "--gpu", "8.6", "--sysroot", self.sysroot]
        for args in (["--format", "poetry", *base], base, ["--format", "pip", *base, "--with", "torchtext"],
                     ["--format", "pip", *base, "--wheel-mirror", "mirror.lab"],
                     ["--format", "pip", "-f", "none", "--cuda", "12.4", "--driver", "550.54.15", "--gpu", "8.6",
                      "--sysroot", self.sysroot]):
            with self.subTest(args=args):
                result = run("spec", *args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(result.stdout, "")


@unittest.skipIf(os.environ.get("ENVSETUP_TEST_SANITIZED") == "1",
                 "runs in the Release build only: it re-reads the same generated specs as Goldens, which runs under ASan")
class Parsed(SpecCase):
    """Each format read back by the parser its tool uses, and checked against the pip spec."""

    def test_conda_environment_is_yaml_with_the_pip_spec(self):
        for name, flags in PLANS.items():
            with self.subTest(plan=name):
                plan = self.plan(flags)
                env = yaml.safe_load(self.spec("conda", flags))
                self.assertEqual(env["channels"], ["conda-forge", "nodefaults"])
                deps = env["dependencies"]
                self.assertIn("python=" + plan["python"], deps)
                cuda = [d for d in deps if isinstance(d, str) and d.startswith("cuda-version=")]
                if plan["cuda"]:
                    major_minor = ".".join(plan["cuda"]["version"].split(".")[:2])
                    self.assertEqual(cuda, ["cuda-version=" + major_minor])
                else:
                    self.assertEqual(cuda, [])
                toolkit = [d for d in deps if isinstance(d, str) and d.startswith(("cudatoolkit=", "cudnn="))]
                self.assertEqual(len(toolkit), 2 if plan["system_toolkit"] else 0, toolkit)
                pip = [d["pip"] for d in deps if isinstance(d, dict)]
                options, requirements = self.pip_lines(flags)
                self.assertEqual(pip, [options + requirements])

    def test_pixi_manifest_is_toml_with_the_pip_spec(self):
        for name, flags in PLANS.items():
            with self.subTest(plan=name):
                plan = self.plan(flags)
                manifest = tomllib.loads(self.spec("pixi", flags))
                self.assertEqual(manifest["workspace"]["channels"], ["conda-forge"])
                self.assertEqual(manifest["workspace"]["platforms"], [PIXI_PLATFORMS[plan["platform"]]])
                self.assertEqual(manifest["dependencies"]["python"], plan["python"] + ".*")
                if plan["cuda"]:
                    major_minor = ".".join(plan["cuda"]["version"].split(".")[:2])
                    self.assertEqual(manifest["system-requirements"], {"cuda": major_minor})
                    self.assertEqual(manifest["dependencies"]["cuda-version"], major_minor + ".*")
                else:
                    self.assertNotIn("system-requirements", manifest)
                options, requirements = self.pip_lines(flags)
                back = []
                for dist, spec in manifest["pypi-dependencies"].items():
                    extras = ""
                    if isinstance(spec, dict):
                        extras = "[" + ",".join(spec["extras"]) + "]"
                        spec = spec["version"]
                    back.append(dist + extras + ("" if spec == "*" else spec))
                self.assertEqual(back, requirements)
                urls = manifest.get("pypi-options", {}).get("extra-index-urls", [])
                self.assertEqual(["--extra-index-url " + url for url in urls], options)

    def check_image(self, image, plan):
        if not plan["cuda"]:
            self.assertRegex(image, r"^ubuntu:\d+\.\d+$")
            return
        match = re.fullmatch(r"nvidia/cuda:(\d+\.\d+)(\.\d+)?-(cudnn\d*-)?(runtime|devel)-ubuntu(\d+\.\d+)", image)
        self.assertIsNotNone(match, image)
        self.assertEqual(match.group(1), ".".join(plan["cuda"]["version"].split(".")[:2]))
        system = plan["system_toolkit"]
        self.assertEqual((match.group(3) is not None, match.group(4)), (True, "devel") if system else (False, "runtime"))

    def pip_command(self, flags):
        options, requirements = self.pip_lines(flags)
        return ["pip", "install", "--no-cache-dir", *[word for option in options for word in option.split()],
                *requirements]

    def test_dockerfile_starts_from_the_plans_cuda_image_and_installs_the_pip_spec(self):
        for name, flags in PLANS.items():
            with self.subTest(plan=name):
                plan = self.plan(flags)
                instructions = parse_dockerfile(self.spec("docker", flags))
                self.assertEqual(instructions[0][0], "FROM")
                *platform, image = instructions[0][1].split()
                self.assertEqual(platform, DOCKER_PLATFORMS[plan["platform"]])
                self.check_image(image, plan)
                self.assertEqual({keyword for keyword, _ in instructions}, {"FROM", "ENV", "RUN"})
                runs = [shlex.split(arg) for keyword, arg in instructions if keyword == "RUN"]
                self.assertEqual(runs[-1], self.pip_command(flags))
                self.assertEqual(runs[-2], ["python" + plan["python"], "-m", "venv", "/opt/venv"])

    def test_apptainer_definition_bootstraps_the_same_image_and_installs_the_pip_spec(self):
        for name, flags in PLANS.items():
            with self.subTest(plan=name):
                plan = self.plan(flags)
                header, sections = parse_definition(self.spec("apptainer", flags))
                self.assertEqual(list(header), ["Bootstrap", "From"])
                self.assertEqual(header["Bootstrap"], "docker")
                self.check_image(header["From"], plan)
                docker = parse_dockerfile(self.spec("docker", flags))
                self.assertEqual(header["From"], docker[0][1].split()[-1])
                self.assertEqual(set(sections), {"environment", "post"})
                post = [shlex.split(line) for line in sections["post"]]
                self.assertEqual(post[-1], self.pip_command(flags))
                self.assertIn(["python" + plan["python"], "-m", "venv", "/opt/venv"], post)


def parse_dockerfile(text):
    """[(INSTRUCTION, arguments)] with comments dropped and `\\` continuations joined."""
    instructions, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def parse_definition(text):
    """An apptainer definition file: its header keywords ({key: value}) and sections
    ({name: [non-empty lines]})."""
    header, sections, current = {}, {}, None
    for line in text.splitlines():
        if line.startswith("%"):
            current = line[1:].split()[0]
            sections[current] = []
        elif current is None:
            if line.strip() and not line.startswith("#"):
                key, _, value = line.partition(":")
                header[key.strip()] = value.strip()
        elif line.strip():
            sections[current].append(line.strip())
    return header, sections


class Header(SpecCase):
    def header(self, text):
        return [line for line in text.splitlines() if line.startswith("#")]

    def test_system_toolkit_step_in_pip_and_pixi_and_notes_in_every_format(self):
        for name, flags in PLANS.items():
            plan = self.plan(flags)
            for fmt in FORMATS:
                with self.subTest(plan=name, format=fmt):
                    header = self.header(self.spec(fmt, flags))
                    for note in plan["notes"]:
                        self.assertIn("# note: " + note, header)
                    steps = [line for line in header if "envsetup install --cuda" in line]
                    if not plan["system_toolkit"] or fmt not in ("pip", "pixi"):
                        self.assertEqual(steps, [])
                        continue
                    cuda, cudnn = plan["toolkit"]["cuda"], plan["toolkit"]["cudnn"]
                    prefix = f"~/cuda-{cuda}-cudnn-{cudnn}"
                    self.assertTrue(any(f"needs CUDA {cuda} + cuDNN {cudnn} on the system" in line
                                        for line in header), header)
                    self.assertEqual([line.removeprefix("#").strip() for line in header if prefix in line],
                                     [f"envsetup install --cuda {cuda} --cudnn {cudnn} --prefix {prefix}",
                                      f"source {prefix}/activate"])


@unittest.skipIf(os.environ.get("ENVSETUP_TEST_SANITIZED") == "1",
                 "runs in the Release build only: the time is pip's; the specs it feeds pip are checked under ASan by Goldens")
class PipResolves(SpecCase):
    """pip itself reads each requirements file against a loopback index that also offers the
    builds pip must not pick (a CPU build of the same version, newer releases, numpy 2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.venv = os.path.join(cls.tmp.name, "venv")
        subprocess.run([sys.executable, "-m", "venv", cls.venv], check=True, timeout=300)
        cls.pip = os.path.join(cls.venv, "bin", "pip")

    def build_indexes(self, root, requirements, local_tag):
        wheels = root / "wheels"
        default, extra = [], []
        for requirement in requirements:
            name, _, version = re.split(r"(==|<)", requirement, maxsplit=1) if re.search("==|<", requirement) \
                else (requirement, "", "")
            dist = re.sub(r"\[.*\]", "", name)
            if dist == "numpy":
                default += [wheel_index.build_wheel(wheels / "default", "numpy", v) for v in ("1.26.4", "2.1.0")]
                continue
            public = version.split("+")[0]
            major, minor, patch = (public.split(".") + ["0", "0"])[:3]
            newer = f"{major}.{minor}.{int(patch) + 1}"
            default += [wheel_index.build_wheel(wheels / "default", dist, v) for v in (public, newer)]
            if local_tag:
                default.append(wheel_index.build_wheel(wheels / "default", dist, public + "+cpu"))
                extra.append(wheel_index.build_wheel(wheels / local_tag, dist, version))
        wheel_index.write_index(root / "simple", default)
        if local_tag:
            wheel_index.write_index(root / "whl" / local_tag, extra)

    def test_pip_installs_exactly_the_pinned_builds(self):
        env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", PIP_DISABLE_PIP_VERSION_CHECK="1")
        env.pop("PIP_NO_INDEX", None)
        env.pop("PIP_INDEX_URL", None)
        env.pop("PIP_EXTRA_INDEX_URL", None)
        for name, flags in PLANS.items():
            with self.subTest(plan=name), tempfile.TemporaryDirectory() as tmp:
                root = pathlib.Path(tmp)
                plan = self.plan(flags)
                local_tag = plan["index_url"].rstrip("/").rsplit("/", 1)[1] if plan["index_url"] else ""
                _, requirements = self.pip_lines(flags)
                self.build_indexes(root, requirements, local_tag)
                with wheel_index.serve(root) as base:
                    spec = root / "requirements.txt"
                    # --wheel-mirror only applies where the plan has an index of its own (torch).
                    mirror = ["--wheel-mirror", base + "/whl/"] if local_tag else []
                    spec.write_text(self.spec("pip", flags, *mirror))
                    if local_tag:
                        self.assertIn(f"--extra-index-url {base}/whl/{local_tag}\n", spec.read_text())
                    report = root / "report.json"
                    result = subprocess.run(
                        [self.pip, "install", "--dry-run", "--no-deps", "--ignore-installed", "--report", str(report),
                         "--index-url", base + "/simple/", "-r", str(spec)],
                        capture_output=True, text=True, env=env, timeout=300)
                    self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                chosen = {item["metadata"]["name"]: item["metadata"]["version"]
                          for item in json.loads(report.read_text())["install"]}
                expected = {}
                for requirement in requirements:
                    if requirement.startswith("numpy"):
                        expected["numpy"] = "1.26.4" if requirement == "numpy<2" else "2.1.0"
                    else:
                        dist, version = requirement.split("==")
                        expected[re.sub(r"\[.*\]", "", dist)] = version
                self.assertEqual(chosen, expected)
                if local_tag and local_tag != "cpu":
                    self.assertTrue(chosen[plan["framework"]["name"]].endswith("+" + local_tag))


if __name__ == "__main__":
    unittest.main()
