"""`envsetup completions`, the generated man pages and `envsetup --version` (issue 18).
Run by CTest with ENVSETUP_BIN and ENVSETUP_SOURCE_DIR set. Cheap: no network, no venvs.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ["ENVSETUP_BIN"]
SOURCE = os.environ["ENVSETUP_SOURCE_DIR"]
FIXTURE = os.path.join(SOURCE, "tests", "data", "matrix-minimal")
# The build's path contract (cmake/GeneratedDocs.cmake): BIN sits in PROJECT_BINARY_DIR.
GENERATED = os.path.join(os.path.dirname(os.path.abspath(BIN)), "generated")
HIDDEN = {"__complete", "man-pages", "verify-gpu-worker", "check-framework"}
MACROS = {".TH", ".SH", ".TP", ".B", ".I", ".nf", ".fi", ".sp", ".PP", ".nh", ".ad", '.\\"'}


def isolated_env(**extra):
    """No installed matrix update, store or cache of the user's leaks into a test."""
    home = tempfile.mkdtemp()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVSETUP_") or k == "ENVSETUP_BIN"}
    env.update(HOME=home, XDG_DATA_HOME=os.path.join(home, "data"), XDG_CACHE_HOME=os.path.join(home, "cache"),
               XDG_CONFIG_HOME=os.path.join(home, "config"))
    env.update(extra)
    return home, env


def run(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60, env=env)


def fake_prefix(store, name):
    """A prefix `list` reports: a folder under STORE/toolkits with a minimal receipt."""
    prefix = os.path.join(store, "toolkits", name)
    os.makedirs(os.path.join(prefix, ".envsetup"))
    with open(os.path.join(prefix, ".envsetup", "receipt.json"), "w") as handle:
        json.dump({"request": {"cuda": "12.4.1"}, "files": [], "archives": []}, handle)
    return prefix


class BashCompletion(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("bash") is None:
            raise unittest.SkipTest("bash is not installed")
        cls.home, cls.env = isolated_env()
        cls.script = os.path.join(cls.home, "envsetup.bash")
        result = run("completions", "bash", "-o", cls.script, env=cls.env)
        assert result.returncode == 0, result.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.home, ignore_errors=True)

    def complete(self, *words, env=None):
        """COMPREPLY for the command line BIN WORDS..., completing the last word."""
        script = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _envsetup; ' \
                 'printf "%s\\n" "${COMPREPLY[@]}"'
        result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "_", self.script, BIN, *words],
                                capture_output=True, text=True, timeout=60, env=env or self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        return [line for line in result.stdout.splitlines() if line]

    def test_registers_for_envsetup(self):
        result = subprocess.run(["bash", "--norc", "-c", 'source "$1"; complete -p envsetup', "_", self.script],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.stdout.strip(), "complete -F _envsetup envsetup")

    def test_subcommands_without_hidden_ones(self):
        offered = set(self.complete(""))
        for name in ("install", "resolve", "spec", "matrix", "remove", "env", "completions"):
            self.assertIn(name, offered)
        self.assertFalse(offered & HIDDEN, offered & HIDDEN)
        self.assertEqual(sorted(self.complete("ins")), ["inspect", "install"])
        self.assertEqual(sorted(self.complete("matrix", "")), ["bundle", "check-index", "show", "update", "validate"])

    def test_flags_of_the_subcommand(self):
        self.assertEqual(self.complete("install", "--fram"), ["--framework"])
        self.assertIn("--format", self.complete("spec", "--"))
        self.assertNotIn("--format", self.complete("install", "--"))
        # the value of an option is skipped when finding the subcommand path
        self.assertEqual(self.complete("matrix", "show", "--matrix", "show", "--dom"), ["--domain"])

    def test_fixed_choices(self):
        self.assertEqual(sorted(self.complete("spec", "--format", "")),
                         ["apptainer", "conda", "docker", "pip", "pixi"])
        self.assertEqual(self.complete("spec", "--format", "=", "do"), ["docker"])  # --format=do
        # the same as one word, where COMP_WORDBREAKS has no '='
        self.assertEqual(self.complete("spec", "--format=do"), ["--format=docker"])
        self.assertEqual(self.complete("spec", "--framework=to"), ["--framework=torch"])
        self.assertEqual(self.complete("spec", "--nothing=x"), [])
        self.assertEqual(sorted(self.complete("env", "/p", "--shell", "")), ["bash", "fish", "sh", "zsh"])
        self.assertEqual(self.complete("matrix", "show", "--domain", "g"), ["gpus"])

    def test_framework_names_from_the_matrix_in_effect(self):
        self.assertEqual(sorted(self.complete("install", "--framework", "")), ["jax", "tensorflow", "torch"])
        self.assertEqual(self.complete("resolve", "-f", "to"), ["torch"])
        # `none` (a bare CUDA toolkit) where the flag takes it: resolve and spec, not install
        self.assertEqual(self.complete("resolve", "--framework", "n"), ["none"])
        self.assertEqual(self.complete("spec", "--format", "pip", "-f", "n"), ["none"])
        self.assertEqual(self.complete("install", "--framework", "n"), [])
        _, env = isolated_env(ENVSETUP_MATRIX=FIXTURE)
        self.assertEqual(self.complete("install", "--framework", "", env=env), ["demo"])

    def test_installed_prefixes_at_completion_time(self):
        store = os.path.join(self.home, "store")
        self.assertEqual(self.complete("remove", "", env=dict(self.env, ENVSETUP_STORE=store)), [])
        prefix = fake_prefix(store, "cuda-12.4.1")
        self.assertEqual(self.complete("remove", "", env=dict(self.env, ENVSETUP_STORE=store)), [prefix])
        self.assertEqual(self.complete("env", prefix[:-3], env=dict(self.env, ENVSETUP_STORE=store)), [prefix])
        self.assertEqual(self.complete("remove", "--store", store, ""), [prefix])  # --store on the line

    def test_positionals_by_position(self):
        self.assertEqual(self.complete("completions", ""), ["bash", "zsh", "fish"])
        self.assertEqual(self.complete("completions", "bash", ""), [])  # one shell only
        self.assertEqual(self.complete("completions", "-o", "out", "z"), ["zsh"])  # a value is no positional
        store = os.path.join(self.home, "store-positional")
        prefix = fake_prefix(store, "cuda-12.6.3")
        self.assertEqual(self.complete("remove", "--store", store, prefix, ""), [])  # one prefix only

    def test_prefixes_complete_after_a_tilde(self):
        store = os.path.join(self.home, "store-tilde")
        prefix = fake_prefix(store, "cuda-12.4.1")
        self.assertEqual(self.complete("remove", "--store", store, "~/"),
                         ["~/" + os.path.relpath(prefix, self.home)])
        self.assertEqual(self.complete("env", "~/store-tilde/toolkits/cu", env=dict(self.env, ENVSETUP_STORE=store)),
                         ["~/store-tilde/toolkits/cuda-12.4.1"])
        self.assertEqual(self.complete("remove", "--store", store, "~/nothing"), [])
        # a --store written with ~/ (the shell expands it only when the command runs)
        self.assertEqual(self.complete("remove", "--store", "~/store-tilde", ""), [prefix])
        self.assertEqual(self.complete("remove", "--store", "=", "~/store-tilde", "/"), [prefix])

    def compopt_calls(self, *words):
        """The `compopt` calls of completing BIN WORDS... (readline quotes as paths after -o filenames)."""
        script = 'source "$1"; shift; compopt() { printf "%s\\n" "$*" >&3; }; COMP_WORDS=("$@"); ' \
                 'COMP_CWORD=$(($# - 1)); _envsetup 3>&1 >/dev/null'
        result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "_", self.script, BIN, *words],
                                capture_output=True, text=True, timeout=60, env=self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.splitlines()

    def test_prefixes_and_paths_are_quoted_as_paths(self):
        # a prefix with a space must be inserted as `my\ cuda`, not as two words
        store = os.path.join(self.home, "store-quoted")
        prefix = fake_prefix(store, "my cuda")
        self.assertEqual(self.complete("remove", "--store", store, ""), [prefix])
        self.assertIn("-o filenames", self.compopt_calls("remove", "--store", store, ""))
        self.assertIn("-o filenames", self.compopt_calls("install", "--locked", ""))
        self.assertNotIn("-o filenames", self.compopt_calls("spec", "--format", ""))

    def test_paths_complete_as_files(self):
        folder = os.path.join(self.home, "lockdir")
        os.makedirs(folder)
        self.assertEqual(self.complete("install", "--locked", folder[:-2]), [folder])
        for line in (("spec", "--lock"), ("mirror", "--lock"), ("fetch", "--mirror"), ("matrix", "update", "--from")):
            self.assertEqual(self.complete(*line, folder[:-2]), [folder], line)
        # bash splits a URL at ':' (COMP_WORDBREAKS); the pieces are one value, not positionals
        self.assertEqual(self.complete("mirror", "--mirror", "http", ":", "//host", ":", "8080/nvidia/", folder[:-2]),
                         [folder])
        self.assertEqual(self.complete("mirror", "--mirror", "http", ":", "//ho"), [])
        self.assertEqual(self.complete("mirror", "--mirror", "http", ":"), [])

    def test_build_wrote_the_same_scripts(self):
        for shell, name in (("bash", "envsetup.bash"), ("zsh", "_envsetup"), ("fish", "envsetup.fish")):
            with open(os.path.join(GENERATED, "completions", name)) as handle:
                self.assertEqual(handle.read(), run("completions", shell).stdout, name)


class OtherShells(unittest.TestCase):
    def check_syntax(self, shell, script):
        if shutil.which(shell) is None:
            self.skipTest(f"{shell} is not installed")
        result = run("completions", shell)
        self.assertEqual(result.returncode, 0, result.stderr)
        with tempfile.NamedTemporaryFile("w", suffix=script) as handle:
            handle.write(result.stdout)
            handle.flush()
            checked = subprocess.run([shell, "-n", handle.name], capture_output=True, text=True, timeout=60)
        self.assertEqual(checked.returncode, 0, checked.stderr)
        self.assertEqual(checked.stderr, "")
        return result.stdout

    def test_zsh_syntax(self):
        text = self.check_syntax("zsh", "_envsetup")
        self.assertTrue(text.startswith("#compdef envsetup\n"))
        self.assertIn("'spec|--format') echo 'choice pip conda pixi docker apptainer'", text)

    def test_zsh_offers_candidates(self):
        """The zsh driver run with stand-ins for compadd/_files: what it would offer."""
        if shutil.which("zsh") is None:
            self.skipTest("zsh is not installed")
        script = run("completions", "zsh").stdout
        self.assertTrue(script.endswith('\n_envsetup "$@"\n'))
        stubs = 'compadd() { [[ $1 == -f ]] && shift; [[ $1 == -- ]] && shift; print -l -- "$@" }\n' \
                'compset() { : }\n_files() { print FILES }\n' \
                '_describe() { print -l -- "${(@)${(@P)argv[-1]}%%:*}" }\n'
        body = script[:-len('_envsetup "$@"\n')]

        def offered(*line):
            words = " ".join(f"'{word}'" for word in (BIN, *line))
            program = f"{stubs}{body}\nwords=({words}); CURRENT={len(line) + 1}; _envsetup\n"
            result = subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True, timeout=60)
            self.assertEqual(result.stderr, "")
            return result.stdout.split()

        self.assertEqual(offered("spec", "--format", ""), ["pip", "conda", "pixi", "docker", "apptainer"])
        self.assertIn("check-index", offered("matrix", ""))
        self.assertEqual(sorted(offered("install", "-f", "")), ["jax", "tensorflow", "torch"])
        self.assertIn("--framework", offered("install", "--fr"))
        self.assertEqual(offered("install", "--locked", ""), ["FILES"])
        self.assertEqual(offered("completions", ""), ["bash", "zsh", "fish"])
        self.assertEqual(offered("completions", "bash", ""), [])
        self.assertNotIn("--help", offered("install", ""))  # flags only after a dash
        self.assertNotIn("install", offered("install", "-"))
        # _describe gets "name:help" entries
        script_text = run("completions", "zsh").stdout
        self.assertIn("'install:Install a framework into a venv (--framework)", script_text)
        self.assertIn("'--format:what to write: pip, conda, pixi, docker, apptainer'", script_text)

    def test_fish_syntax(self):
        text = self.check_syntax("fish", ".fish")
        self.assertIn("-l 'format' -r -f -a 'pip conda pixi docker apptainer'", text)
        self.assertNotIn("__complete'", text.replace("__complete $argv", ""))

    def test_fish_offers_subcommands(self):
        if shutil.which("fish") is None:
            self.skipTest("fish is not installed")
        home, env = isolated_env()
        self.addCleanup(shutil.rmtree, home, ignore_errors=True)
        script = os.path.join(home, "envsetup.fish")
        self.assertEqual(run("completions", "fish", "-o", script, env=env).returncode, 0)
        prefix = fake_prefix(os.path.join(home, "store"), "cuda-12.4.1")
        command = (f"source {script}; complete -C 'envsetup matrix sh'; complete -C 'envsetup spec --format d'; "
                   f"complete -C 'envsetup remove --store {home}/store '; echo ==; "
                   f"complete -C 'envsetup completions '; echo ==; complete -C 'envsetup completions bash '; "
                   f"echo ==; complete -C 'envsetup remove {prefix} '; echo ==; "
                   f"complete -C 'envsetup remove --store {home}/store ~/'; echo ==; "
                   f"complete -C 'envsetup remove --store ~/store /'; echo ==; complete -C 'envsetup spec -f n'")
        env["PATH"] = os.path.dirname(os.path.abspath(BIN)) + os.pathsep + env.get("PATH", "")
        result = subprocess.run(["fish", "--no-config", "-c", command], capture_output=True, text=True,
                                timeout=60, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        offered = [line.split("\t")[0] for line in result.stdout.splitlines()]
        self.assertEqual(offered, ["show", "docker", prefix, "==", "bash", "fish", "zsh", "==", "==", "==",
                                   "~/store/toolkits/cuda-12.4.1", "==", prefix, "==", "none"])

    def test_build_step_ignores_the_builders_environment(self):
        """The build's generation step (cmake/GeneratedDocs.cmake), run into a temporary folder with
        variables envsetup would refuse at start-up: the build must not fail on them."""
        build = os.path.dirname(os.path.abspath(BIN))
        if shutil.which("ninja") is None or not os.path.isfile(os.path.join(build, "build.ninja")):
            self.skipTest("not a Ninja build")
        commands = subprocess.run(["ninja", "-C", build, "-t", "commands", "generated/reference.stamp"],
                                  capture_output=True, text=True, timeout=60)
        self.assertEqual(commands.returncode, 0, commands.stderr)
        step = [line for line in commands.stdout.splitlines() if "man-pages --output-dir" in line]
        self.assertEqual(len(step), 1, commands.stdout[-2000:])
        work = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        line = step[0]
        for name in ("man", "completions", "reference.stamp"):
            line = line.replace(os.path.join(GENERATED, name), os.path.join(work, name))
        self.assertNotIn(GENERATED + "/man", line)  # never touches the build's own files
        self.assertNotIn(GENERATED + "/completions", line)
        env = dict(os.environ, ENVSETUP_DRIVER_VERSION="bogus", ENVSETUP_GPUS="xx", ENVSETUP_MATRIX="/nonexistent",
                   ENVSETUP_MIRROR="ftp://bad", ENVSETUP_MATRIX_MAX_AGE_DAYS="soon", XDG_CONFIG_HOME="relative")
        result = subprocess.run(["sh", "-c", line], capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.isfile(os.path.join(work, "man", "man1", "envsetup.1")))
        self.assertTrue(os.path.isfile(os.path.join(work, "completions", "envsetup.fish")))

    def test_unknown_shell_is_a_usage_error(self):
        result = run("completions", "tcsh")
        self.assertEqual(result.returncode, 2)
        self.assertIn("tcsh", result.stderr)


def docs_table(heading):
    """The first column of the table under `heading` in docs/cli.md (backticks removed)."""
    with open(os.path.join(SOURCE, "docs", "cli.md")) as handle:
        text = handle.read()
    section = text[text.index(heading):]
    section = section[:section.find("\n## ", 1)]
    cells = [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("|")]
    return [cell for cell in cells[2:]]


class ManPages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp()
        result = run("man-pages", "--output-dir", cls.directory)
        assert result.returncode == 0, result.stderr
        cls.pages = {}
        for name in sorted(os.listdir(cls.directory)):
            with open(os.path.join(cls.directory, name)) as handle:
                cls.pages[name] = handle.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.directory, ignore_errors=True)

    def test_one_page_per_public_subcommand(self):
        for name in ("envsetup.1", "envsetup-install.1", "envsetup-matrix.1", "envsetup-matrix-update.1",
                     "envsetup-cache-clean.1", "envsetup-completions.1", "envsetup-remove.1"):
            self.assertIn(name, self.pages)
        for hidden in HIDDEN:
            self.assertNotIn(f"envsetup-{hidden}.1", self.pages)
        self.assertEqual(sorted(os.listdir(os.path.join(GENERATED, "man", "man1"))), sorted(self.pages))

    def test_build_wrote_the_same_pages(self):
        for name, text in self.pages.items():
            with open(os.path.join(GENERATED, "man", "man1", name)) as handle:
                self.assertEqual(handle.read(), text, name)

    def test_roff_is_escaped(self):
        for name, text in self.pages.items():
            for line in text.splitlines():
                if line[:1] in (".", "'"):
                    self.assertIn(line.split(" ")[0], MACROS, f"{name}: {line!r}")
                if not line.startswith(('.\\"', ".TH ")):
                    self.assertNotRegex(line, r"(?<!\\)-", f"{name}: unescaped dash in {line!r}")
        self.assertIn("\\fB\\-\\-framework\\fR, \\fB\\-f\\fR \\fIFRAMEWORK\\fR", self.pages["envsetup-install.1"])
        # choices the help text does not name are listed; named ones are not repeated
        self.assertIn("One of: cuda, gpus, cudnn, frameworks.", self.pages["envsetup-matrix-show.1"])
        self.assertIn("what to write: pip, conda, pixi, docker, apptainer.", self.pages["envsetup-spec.1"])
        self.assertNotIn("One of:", self.pages["envsetup-spec.1"])

    def test_examples_and_positionals(self):
        page = self.pages["envsetup-remove.1"]
        self.assertIn("\\fBenvsetup remove\\fR [\\fIOPTIONS\\fR] \\fIPREFIX\\fR\n", page)
        self.assertIn(".SH EXAMPLES\n.nf\nenvsetup remove ", page)
        self.assertNotIn("Examples:", page)
        self.assertNotIn("envsetup: ", self.pages["envsetup.1"].split(".SH DESCRIPTION\n")[1].split("\n")[0])

    def test_groff_renders_without_warnings(self):
        if shutil.which("groff") is None:
            self.skipTest("groff is not installed")
        for name in self.pages:
            result = subprocess.run(["groff", "-ww", "-man", "-Tutf8", os.path.join(self.directory, name)],
                                    capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, name)
            self.assertEqual(result.stderr, "", name)
            self.assertIn("NAME", re.sub(".\b", "", result.stdout))

    def test_man_renders_without_warnings(self):
        if shutil.which("man") is None:
            self.skipTest("man is not installed")
        page = os.path.join(self.directory, "envsetup-matrix-update.1")
        result = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True, timeout=60,
                                env=dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="80"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        self.assertIn("envsetup matrix update", result.stdout.replace("\u2010", "-"))

    def test_exit_status_matches_docs(self):
        page = self.pages["envsetup.1"]
        section = page[page.index(".SH EXIT STATUS"):page.index(".SH ENVIRONMENT")]
        codes = re.findall(r"^\.B (\d+)$", section, re.M)
        self.assertEqual(codes, docs_table("## Exit codes"))

    def test_environment_lists_every_variable_read(self):
        page = self.pages["envsetup.1"]
        section = page[page.index(".SH ENVIRONMENT"):page.index(".SH FILES")]
        listed = {name.replace("\\-", "-") for name in re.findall(r"^\.B (\S+)$", section, re.M)}
        documented = set()
        for cell in docs_table("## Environment variables"):
            documented.update(re.findall(r"`([A-Za-z_]+)`", cell))
        read = set()
        pattern = re.compile(r'(?:getenv|probe\.env|env_paths|variable)\("([A-Za-z_][A-Za-z0-9_]*)"\)')
        for root, _, files in os.walk(os.path.join(SOURCE, "src")):
            for name in files:
                if name.endswith((".cpp", ".hpp")):
                    with open(os.path.join(root, name)) as handle:
                        read.update(pattern.findall(handle.read()))
        self.assertGreater(len(read), 10)
        self.assertEqual(documented - listed, set())
        self.assertEqual(read - listed, set())


class Version(unittest.TestCase):
    def test_text_names_version_commit_and_matrix(self):
        home, env = isolated_env()
        self.addCleanup(shutil.rmtree, home, ignore_errors=True)
        result = run("--version", env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertRegex(lines[0], r"^envsetup \d+\.\d+\.\d+$")
        self.assertRegex(lines[1], r"^commit   ([0-9a-f]{7,}|unknown)$")
        source = json.loads(run("matrix", "show", "--source", "--json", env=env).stdout)
        self.assertEqual(lines[2], f"matrix   embedded, generated {source['generated']}, sha256 {source['sha256'][:12]}")

    def test_commit_is_one_of_this_checkout(self):
        commit = json.loads(run("--version", "--json").stdout)["commit"]
        if not os.path.exists(os.path.join(SOURCE, ".git")) or shutil.which("git") is None:
            self.assertEqual(commit, "unknown")
            return
        known = subprocess.run(["git", "-C", SOURCE, "cat-file", "-e", commit + "^{commit}"], capture_output=True)
        self.assertEqual(known.returncode, 0, commit)
        ancestor = subprocess.run(["git", "-C", SOURCE, "merge-base", "--is-ancestor", commit, "HEAD"],
                                  capture_output=True)
        self.assertEqual(ancestor.returncode, 0, f"{commit} is not HEAD or behind it")

    def test_json_names_a_matrix_folder(self):
        home, env = isolated_env(ENVSETUP_MATRIX=FIXTURE)
        self.addCleanup(shutil.rmtree, home, ignore_errors=True)
        result = run("--version", "--json", env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        document = json.loads(result.stdout)
        self.assertEqual(document["matrix"]["source"], "directory")
        self.assertEqual(document["matrix"]["path"], FIXTURE)
        self.assertEqual(document["matrix"]["sha256"],
                         json.loads(run("matrix", "show", "--source", "--json", env=env).stdout)["sha256"])
        self.assertRegex(document["version"], r"^\d+\.\d+\.\d+$")

    def test_unreadable_matrix_still_answers(self):
        home, env = isolated_env(ENVSETUP_MATRIX="/nonexistent/matrix")
        self.addCleanup(shutil.rmtree, home, ignore_errors=True)
        result = run("-V", env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("matrix   unreadable: ", result.stdout)


if __name__ == "__main__":
    unittest.main()
