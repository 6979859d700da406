// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/conflicts.hpp>

#include <envsetup/cli/config_edge.hpp>
#include <envsetup/core/request.hpp>

namespace envsetup::cli {

namespace {

util::Error conflict(const std::string& first, const std::string& second, std::string why, std::string hint)
{
  return util::make_error(util::ErrorKind::usage, "`" + first + "` and `" + second + "` cannot be used together")
    .with_cause(std::move(why))
    .with_hint(std::move(hint));
}

}  // namespace

util::Status check_conflicts(const RequestedFlags& flags)
{
  if (flags.cpu) {
    for (const auto& [given, flag] : {std::pair{flags.cuda, "--cuda"}, std::pair{flags.cudnn, "--cudnn"},
                                      std::pair{flags.with_toolkit, "--with-toolkit"}}) {
      if (given) {
        return conflict("--cpu", flag, "a CPU-only build uses no CUDA toolkit or cuDNN",
                        std::string("drop --cpu to plan a CUDA build, or drop ") + flag + " for a CPU-only build");
      }
    }
  }
  // A wheel mirror from a config file is a lab's default for PyTorch, not something this
  // command line asked for: it never blames the command line (and is unused by other frameworks).
  if (!flags.wheel_mirror || configured_in_file(config::Key::wheel_mirror)) {
    return util::ok_status();
  }
  if (flags.framework.empty()) {
    return util::make_error(util::ErrorKind::usage, "`--wheel-mirror` needs `--framework`")
      .with_cause("--wheel-mirror replaces https://download.pytorch.org/whl/ in a framework's install")
      .with_hint("add --framework torch, or drop --wheel-mirror");
  }
  auto request = core::Request::parse_framework(flags.framework);
  if (request && request->framework != "torch") {
    return conflict("--wheel-mirror", "--framework " + request->framework,
                    "--wheel-mirror replaces https://download.pytorch.org/whl/, and only PyTorch installs from it; " +
                      request->framework + " installs from PyPI",
                    "drop --wheel-mirror; to use a PyPI mirror set PIP_INDEX_URL (or pip's index-url setting)");
  }
  return util::ok_status();
}

}  // namespace envsetup::cli
