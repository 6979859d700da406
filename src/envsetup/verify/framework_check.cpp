// SPDX-License-Identifier: Apache-2.0
// The process half of check 4: run a check script in an interpreter.
#include <envsetup/verify/framework_check.hpp>

#include <envsetup/util/process.hpp>

namespace envsetup::verify {

namespace {

// The last `count` characters of `text`, for evidence.
std::string tail(const std::string& text, std::size_t count = 600)
{
  return text.size() <= count ? text : "..." + text.substr(text.size() - count);
}

}  // namespace

std::vector<Check> check_framework(const FrameworkCheckRun& run)
{
  const std::string name = "framework:" + run.framework;
  auto output = util::run_process(run.python, {"-c", run.script}, run.timeout);
  if (!output) {
    return {{name, CheckStatus::fail,
             "running " + run.python.string() + " failed: " + output.error().message, 
             std::string("check that the interpreter starts: ") + run.python.string() + " -c 'print(1)'", {}}};
  }
  auto answer = parse_framework_answer(output->out);
  if (!answer) {
    return {{name, CheckStatus::fail,
             run.python.string() + " exited with status " + std::to_string(output->exit_code) +
               " without an answer: " + tail(output->err.empty() ? output->out : output->err),
             std::string("the interpreter crashed while importing or using ") + run.framework +
               ": run the import by hand to see why",
             {}}};
  }
  return framework_checks(*answer, run.gpu_expected, run.ld_library_path);
}

}  // namespace envsetup::verify
