# SPDX-License-Identifier: Apache-2.0
"""Config files (docs/config.md): `config show` names each value's origin along the chain
flag > environment > user file > system file > default; broken files are errors naming file,
line and key (exit 7); configured values are really used by the commands."""
import json
import os
import unittest

import mirror_tools as mt
from mirror_tools import MirrorTestCase


class ConfigTestCase(MirrorTestCase):
    def setUp(self):
        super().setUp()
        self.xdg = self.ws.path("xdg")
        self.user_file = os.path.join(self.xdg, "envsetup", "config.toml")
        self.system_file = self.ws.path("etc", "config.toml")
        os.makedirs(os.path.dirname(self.user_file))
        os.makedirs(os.path.dirname(self.system_file))

    def write(self, path, text):
        with open(path, "w") as handle:
            handle.write(text)

    def run_config(self, *args, env=None):
        extra = {"XDG_CONFIG_HOME": self.xdg, "ENVSETUP_SYSTEM_CONFIG": self.system_file}
        extra.update(env or {})
        return self.ws.run(*args, env=extra)

    def show(self, *args, env=None):
        result = self.run_config("config", "show", "--json", *args, env=env)
        self.assertExit(result, 0)
        return json.loads(result.stdout)["settings"]


class ConfigShowTest(ConfigTestCase):
    def test_each_value_names_where_it_came_from(self):
        self.write(self.system_file, 'mirror = "http://system.lab/nvidia/"\nstore = "/srv/system-store"\n'
                                     'jobs = 2\ninstaller = "uv"\ncache = "/srv/system-cache"\n')
        self.write(self.user_file, '# mine\nmirror = "http://user.lab/nvidia/"\nstore = "~/user-store"\njobs = 6\n')
        settings = self.show("--mirror", "http://flag.lab/", env={"ENVSETUP_STORE": "/env/store"})
        self.assertEqual((settings["mirror"]["value"], settings["mirror"]["origin"]), ("http://flag.lab/", "--mirror"))
        self.assertEqual((settings["store"]["value"], settings["store"]["origin"]), ("/env/store", "ENVSETUP_STORE"))
        self.assertEqual((settings["jobs"]["value"], settings["jobs"]["origin"]), ("6", self.user_file + ":4"))
        self.assertEqual(settings["jobs"]["source"], "user file")
        self.assertEqual((settings["installer"]["value"], settings["installer"]["origin"]),
                         ("uv", self.system_file + ":4"))
        self.assertEqual(settings["cache"]["source"], "system file")
        self.assertEqual((settings["python"]["value"], settings["python"]["origin"]), (None, "default"))
        # One layer less each time: the next one shows through.
        settings = self.show()
        self.assertEqual(settings["mirror"]["origin"], self.user_file + ":2")
        self.assertEqual(settings["store"]["value"], os.path.join(self.ws.home, "user-store"))
        os.remove(self.user_file)
        settings = self.show()
        self.assertEqual(settings["mirror"]["origin"], self.system_file + ":1")
        self.assertEqual(settings["jobs"]["value"], "2")
        os.remove(self.system_file)
        settings = self.show()
        self.assertEqual((settings["jobs"]["value"], settings["jobs"]["source"]), ("4", "default"))
        self.assertEqual(settings["mirror"]["value"], "https://developer.download.nvidia.com/compute/")
        text = self.run_config("config", "show")
        self.assertExit(text, 0)
        self.assertIn(self.user_file + " (absent)", text.stdout)
        self.assertRegex(text.stdout, r"jobs\s+4\s+default")

    def test_path_lists_the_user_file_then_the_system_file(self):
        result = self.run_config("config", "path")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout.splitlines(), [self.user_file, self.system_file])


class ConfigErrorTest(ConfigTestCase):
    def test_a_broken_file_names_file_line_and_key(self):
        cases = [
            ('jobs = 4\nmirorr = "http://x/"\n', ":2: unknown key `mirorr`"),
            ('\njobs = "many"\n', ":2: `jobs`: must be an integer from 1 to 64"),
            ('store = "relative/store"\n', ":1: `store`: `relative/store` is not an absolute path"),
            ('installer = "conda"\n', ":1: `installer`: `conda` is not pip, uv or auto"),
            ('jobs = 4\nmirror = = "x"\n', ":2: "),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.write(self.user_file, text)
                result = self.run_config("list", "--json")
                self.assertExit(result, 7)
                error = json.loads(result.stdout)["error"]
                self.assertEqual(error["kind"], "invalid_data")
                self.assertIn("invalid config file " + self.user_file + expected, error["message"])
                self.assertIn(self.user_file + expected, result.stderr)
        # `config path` still says where the files are; the reference needs no config.
        self.assertExit(self.run_config("config", "path"), 0)
        self.assertExit(self.run_config("completions", "bash"), 0)

    def test_a_broken_system_file_is_named_too(self):
        self.write(self.system_file, '[mirror]\nurl = "http://x/"\n')
        result = self.run_config("config", "show")
        self.assertExit(result, 7)
        self.assertIn(self.system_file + ":1: `mirror` must be a string", result.stderr)

    def test_a_value_the_flag_refuses_names_the_file_line_and_key(self):
        # The file's parser takes any text for `python`; the --python check refuses it, and the
        # error must still say which file and line hold it (exit 7, like the other file errors).
        self.write(self.system_file, '\npython = "garbage"\n')
        result = self.run_config("resolve", "--framework", "torch", "--cpu", "--json")
        self.assertExit(result, 7)
        message = json.loads(result.stdout)["error"]["message"]
        self.assertIn("invalid config file " + self.system_file + ":2: `python`: ", message)
        self.assertIn("garbage", message)

    def test_a_linked_file_is_refused(self):
        target = self.ws.path("elsewhere.toml")
        self.write(target, "jobs = 2\n")
        os.symlink(target, self.user_file)
        result = self.run_config("config", "show")
        self.assertExit(result, 1)
        self.assertIn("is a symbolic link", result.stderr)


class ConfigUseTest(ConfigTestCase):
    def fetch(self, *extra, env=None):
        return self.run_config("fetch", "--cuda", "12.4", "--components", "cuda_cccl", "--json", *extra, env=env)

    def test_configured_mirror_and_cache_are_used_and_the_environment_wins(self):
        self.write(self.system_file, f'mirror = "{self.ws.path("no-such-mirror")}"\ncache = "{self.ws.cache}"\n')
        self.write(self.user_file, f'mirror = "{self.mirror}"\n')
        result = self.fetch()
        self.assertExit(result, 0)
        self.assertEqual(mt.json_lines(result.stdout)[-1]["cache"], self.ws.cache)
        # ENVSETUP_MIRROR beats the user file; a --mirror flag beats the variable.
        missing = self.fetch(env={"ENVSETUP_MIRROR": self.ws.path("no-such-mirror")})
        self.assertExit(missing, 4)
        self.assertIn("no-such-mirror", missing.stdout)
        self.assertExit(self.fetch("--mirror", self.mirror, env={"ENVSETUP_MIRROR": self.ws.path("nowhere")}), 0)

    def test_configured_python_is_no_flag_for_install_locked(self):
        self.write(self.user_file, 'python = "3.11"\n')
        result = self.run_config("install", "--locked", self.ws.path("missing.lock"), "--venv", self.ws.path("venv"))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("missing.lock", result.stderr)
        self.assertNotIn("--python", result.stderr)
        # The same value is a default for the commands that choose a plan (two values: one of
        # them is not the host's own Python).
        for python in ("3.11", "3.12"):
            self.write(self.user_file, f'python = "{python}"\n')
            shown = self.run_config("resolve", "--framework", "torch", "--cpu", "--json")
            self.assertExit(shown, 0)
            self.assertEqual(json.loads(shown.stdout)["python"], python)

    def test_configured_wheel_mirror_is_no_conflict_for_other_frameworks(self):
        # A lab's wheel mirror (for PyTorch) must not turn `spec -f jax` into a usage error;
        # the same mirror given as a flag is one (docs/cli.md, conflicting flags).
        self.write(self.user_file, 'wheel_mirror = "http://mirror.lab/pytorch/whl/"\n')
        host = ("--driver", "550.54.15", "--gpu", "8.9", "--python", "3.11")
        result = self.run_config("spec", "--format", "pip", "-f", "jax", *host)
        self.assertExit(result, 0)
        result = self.run_config("spec", "--format", "pip", "-f", "jax", *host,
                                 "--wheel-mirror", "http://mirror.lab/pytorch/whl/")
        self.assertExit(result, 2)
        self.assertIn("--wheel-mirror", result.stderr)
        result = self.run_config("spec", "--format", "pip", "-f", "torch", *host)
        self.assertExit(result, 0)
        self.assertIn("http://mirror.lab/pytorch/whl/", result.stdout)

    def test_configured_store_is_used_by_list(self):
        prefix = self.ws.path("prefix")
        self.assertExit(self.run_config("install", "--cuda", "12.4", "--components", "cuda_cccl", "--mirror",
                                        self.mirror, "--cache", self.ws.cache, "--store", self.ws.store,
                                        "--prefix", prefix), 0)
        listed = self.run_config("list", "--json")
        self.assertExit(listed, 0)
        self.assertEqual(json.loads(listed.stdout), [])  # the default store knows nothing of it
        self.write(self.system_file, f'store = "{self.ws.store}"\n')
        listed = self.run_config("list", "--json")
        self.assertExit(listed, 0)
        self.assertIn(prefix, listed.stdout)


if __name__ == "__main__":
    unittest.main()
