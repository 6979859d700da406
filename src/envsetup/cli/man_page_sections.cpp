// SPDX-License-Identifier: Apache-2.0
// The fixed parts of envsetup.1: its description, exit codes, environment variables and files.
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/man_page.hpp>

#include <sstream>

namespace envsetup::cli {

std::vector<ExitCodeDoc> exit_code_docs()
{
  return {
    {k_exit_ok, "success"},
    {k_exit_failure, "the environment or a local file operation failed"},
    {k_exit_usage, "usage error: a bad flag, a value that does not parse, an unknown framework"},
    {k_exit_no_solution,
     "no solution: nothing in the matrix works on this host for the request (the hints say what would)"},
    {k_exit_network, "network or download failure"},
    {k_exit_integrity, "integrity failure (checksum mismatch, unsafe archive)"},
    {k_exit_verification, "verification failed (a check ran and failed)"},
    {k_exit_invalid_data, "invalid data: a matrix or other input file is malformed"},
    {k_exit_internal, "internal error (a bug in envsetup; please report it)"},
  };
}

// Keep in step with docs/cli.md "Environment variables" and the variables the sources read
// (tests/cli/test_cli_reference.py checks both).
std::vector<VariableDoc> environment_docs()
{
  return {
    {"ENVSETUP_MATRIX", "a matrix folder to use instead of the installed update or the built-in one (--matrix wins)"},
    {"ENVSETUP_MATRIX_URL", "the bundle URL `matrix update` reads without --from"},
    {"ENVSETUP_MATRIX_MAX_AGE_DAYS",
     "days after which plans note that the matrix in effect is old (default 120; 0: never)"},
    {"ENVSETUP_SYSROOT", "detect the host below this folder (--sysroot wins)"},
    {"ENVSETUP_DRIVER_VERSION", "override the detected driver version (as --driver takes it), or `none`"},
    {"ENVSETUP_GPUS",
     "override the detected GPUs: compute capabilities as --gpu takes them, comma-separated, or `none`"},
    {"ENVSETUP_MIRROR", "default --mirror (checked like it)"},
    {"ENVSETUP_SYSTEM_CONFIG", "the system config file instead of /etc/envsetup/config.toml (docs/config.md)"},
    {"ENVSETUP_CACHE_DIR", "the download cache (else $XDG_CACHE_HOME/envsetup, else ~/.cache/envsetup)"},
    {"ENVSETUP_STORE",
     "the store of toolkit prefixes and the venv registry (else $XDG_DATA_HOME/envsetup, else ~/.local/share/envsetup)"},
    {"ENVSETUP_EXTRACT_WHILE_DOWNLOADING", "0: extract archives only after every download ended"},
    {"ENVSETUP_IDLE_TIMEOUT",
     "default --idle-timeout of install --framework and --locked (90s, 45m, 2h; no unit: minutes)"},
    {"ENVSETUP_PARALLEL_XZ", "0: decode each .xz archive on one thread (libarchive) instead of in parallel"},
    {"ENVSETUP_IDLE_TIMEOUT", "default --idle-timeout of install --framework (90s, 45m, 2h; no unit: minutes)"},
    {"ENVSETUP_TEST_FAST_RETRY", "tests only: millisecond backoffs and a 2 s stall timeout"},
    {"XDG_CACHE_HOME", "the default cache is $XDG_CACHE_HOME/envsetup"},
    {"XDG_DATA_HOME", "the default store and installed matrix updates are under $XDG_DATA_HOME/envsetup"},
    {"XDG_CONFIG_HOME",
     "public keys trusted for matrix bundles: $XDG_CONFIG_HOME/envsetup/keys/*.pem (default ~/.config)"},
    {"HOME", "the default cache, store, keys and updates are under it"},
    {"PIP_INDEX_URL", "the package index pip uses; honoured by install --framework and lock"},
    {"VIRTUAL_ENV", "the active venv: detected as the Python to use and reported by detect"},
    {"CONDA_PREFIX", "the active conda environment: its Python and CUDA toolkit are detected"},
    {"PYENV_ROOT", "pyenv's Python versions are looked for below it"},
    {"PYENV_VERSION", "pyenv's selected version, which a pyenv shims folder on PATH stands for"},
    {"UV_PYTHON_INSTALL_DIR", "uv's managed Pythons are looked for below it (default ~/.local/share/uv/python)"},
    {"CUDA_HOME", "a CUDA toolkit to detect (also CUDA_PATH, CUDA_ROOT)"},
    {"CUDA_PATH", "as CUDA_HOME"},
    {"CUDA_ROOT", "as CUDA_HOME"},
    {"PATH", "where python3, nvcc, nvidia-smi, uv and pip are looked for"},
    {"LD_LIBRARY_PATH", "searched for CUDA libraries; entries that shadow a toolkit are warned about"},
    {"NO_COLOR", "set (any value, even empty): no colour, as with --color never"},
    {"TERM", "progress bars are drawn only on a terminal that is not `dumb`"},
    {"http_proxy", "proxy for downloads (libcurl's usual variables, also https_proxy and no_proxy)"},
    {"https_proxy", "as http_proxy"},
    {"no_proxy", "hosts reached without the proxy"},
  };
}

// What envsetup(1) says after the one-line description.
std::string root_description()
{
  return ".PP\n"
         "envsetup reads the NVIDIA driver, GPUs, CUDA toolkits, cuDNN and Pythons of a host, chooses the framework, "
         "CUDA, cuDNN and Python versions that work there from its compatibility matrix (built in, or an installed "
         "signed update), and writes specs for other places, installs CUDA toolkits into prefixes and frameworks into "
         "venvs without root, locks them, and verifies the result on the GPU.\n"
         ".PP\n"
         "Every command has \\fB\\-\\-help\\fR with examples, and a page of its own listed below.\n";
}

std::string root_sections()
{
  std::ostringstream out;
  out << ".SH EXIT STATUS\n";
  for (const auto& doc : exit_code_docs()) {
    out << ".TP\n.B " << doc.code << "\n" << roff_escape(doc.meaning) << "\n";
  }
  out << ".SH ENVIRONMENT\n";
  for (const auto& doc : environment_docs()) {
    out << ".TP\n.B " << roff_escape(doc.name) << "\n" << roff_escape(doc.meaning) << "\n";
  }
  out
    << ".SH FILES\n"
       ".TP\n.I ~/.cache/envsetup\nThe download cache (ENVSETUP_CACHE_DIR, $XDG_CACHE_HOME/envsetup).\n"
       ".TP\n.I ~/.local/share/envsetup\nThe store (ENVSETUP_STORE, $XDG_DATA_HOME/envsetup): toolkits/, the extracted "
       "archives (extracted\\-v1), prefixes.txt (prefixes installed elsewhere), venvs.json (the venvs envsetup made; see "
       "\\fBenvsetup\\-envs\\-list\\fR(1)).\n"
       ".TP\n.I ~/.local/share/envsetup/matrix\\-updates\nInstalled matrix updates "
       "($XDG_DATA_HOME/envsetup/matrix\\-updates; "
       "see \\fBenvsetup\\-matrix\\-update\\fR(1)).\n"
       ".TP\n.I ~/.config/envsetup/keys/*.pem\nPublic keys trusted for matrix bundles ($XDG_CONFIG_HOME).\n"
       ".TP\n.I ~/.config/envsetup/config.toml\nThe user's config file ($XDG_CONFIG_HOME; see "
       "\\fBenvsetup\\-config\\-show\\fR(1)).\n"
       ".TP\n.I /etc/envsetup/config.toml\nThe system config file (ENVSETUP_SYSTEM_CONFIG); a flag, a variable "
       "or the user's file wins over it.\n"
       ".TP\n.I PREFIX/activate\nThe environment of an installed toolkit prefix (see \\fBenvsetup\\-env\\fR(1)).\n";
  return out.str();
}

}  // namespace envsetup::cli
