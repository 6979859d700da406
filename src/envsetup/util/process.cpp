// SPDX-License-Identifier: Apache-2.0
// The one place that uses Boost.Process.
#include <envsetup/util/process.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>

#include <future>

namespace envsetup::util {

namespace bp = boost::process;

Result<ProcessOutput> run_process(const std::filesystem::path& program,
                                  const std::vector<std::string>& args,
                                  std::chrono::milliseconds timeout)
{
  const std::string shown = program.string();
  try {
    boost::asio::io_context io;
    std::future<std::string> out;
    std::future<std::string> err;
    bp::child child(bp::exe = shown, bp::args = args, bp::std_in.close(), bp::std_out > out,
                    bp::std_err > err, io);
    io.run_for(timeout);
    if (!io.stopped()) {
      std::error_code ignored;
      child.terminate(ignored);
      return make_error(ErrorKind::environment, "`" + shown + "` did not finish")
        .with_cause("it ran longer than " + std::to_string(timeout.count()) + " ms and was killed");
    }
    child.wait();
    ProcessOutput output;
    output.exit_code = child.exit_code();
    output.out = out.get();
    output.err = err.get();
    return output;
  } catch (const std::exception& e) {
    return make_error(ErrorKind::environment, "cannot run `" + shown + "`").with_cause(e.what());
  }
}

}  // namespace envsetup::util
