// SPDX-License-Identifier: Apache-2.0
// The one place that uses Boost.Process.
#include <envsetup/util/process.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process.hpp>

#include <array>
#include <functional>
#include <future>
#include <thread>

namespace envsetup::util {

namespace bp = boost::process;

// The most run_process keeps of one stream (stdout or stderr).
constexpr std::size_t k_max_captured = std::size_t{32} << 20U;

Result<ProcessOutput> run_process(const std::filesystem::path& program, const std::vector<std::string>& args,
                                  std::chrono::milliseconds timeout)
{
  const std::string shown = program.string();
  try {
    boost::asio::io_context io;
    bp::async_pipe out_pipe(io);
    bp::async_pipe err_pipe(io);
    bp::child child(bp::exe = shown, bp::args = args, bp::std_in.close(), bp::std_out > out_pipe,
                    bp::std_err > err_pipe, io);
    ProcessOutput output;
    bool too_much = false;
    std::array<char, 65536> out_buffer{};
    std::array<char, 65536> err_buffer{};
    // Each stream is read until end of file; past k_max_captured bytes the program is killed
    // (a hostile "interpreter" printing without end must not fill the memory before the timeout).
    std::function<void(bp::async_pipe&, std::array<char, 65536>&, std::string&)> read =
      [&](bp::async_pipe& pipe, std::array<char, 65536>& buffer, std::string& into) {
        pipe.async_read_some(boost::asio::buffer(buffer), [&](const boost::system::error_code& ec, std::size_t n) {
          into.append(buffer.data(), n);
          if (into.size() > k_max_captured) {
            too_much = true;
            std::error_code ignored;
            child.terminate(ignored);
            boost::system::error_code closed;
            out_pipe.close(closed);
            err_pipe.close(closed);
            return;
          }
          if (!ec) {
            read(pipe, buffer, into);
          }
        });
      };
    read(out_pipe, out_buffer, output.out);
    read(err_pipe, err_buffer, output.err);
    io.run_for(timeout);
    if (too_much) {
      return make_error(ErrorKind::environment, "`" + shown + "` printed too much")
        .with_cause("more than " + std::to_string(k_max_captured >> 20U) + " MiB on one stream; it was killed");
    }
    if (!io.stopped()) {
      std::error_code ignored;
      child.terminate(ignored);
      return make_error(ErrorKind::environment, "`" + shown + "` did not finish")
        .with_cause("it ran longer than " + std::to_string(timeout.count()) + " ms and was killed");
    }
    child.wait();
    output.exit_code = child.exit_code();
    return output;
  } catch (const std::exception& e) {
    return make_error(ErrorKind::environment, "cannot run `" + shown + "`").with_cause(e.what());
  }
}

namespace {

constexpr std::size_t k_kept_output = std::size_t{1} << 20;  // the tail kept in ProcessOutput::out

// Reads the pipe until end of file, restarting the idle timer on every piece; when the timer
// fires first, the program is killed (SIGKILL) and the pipe closed.
class StreamReader {
public:
  StreamReader(boost::asio::io_context& io, bp::async_pipe& pipe, bp::child& child, const StreamOptions& options,
               ProcessOutput& output)
    : m_timer(io), m_pipe(pipe), m_child(child), m_options(options), m_output(output)
  {
  }

  void start()
  {
    arm();
    read();
  }

private:
  void arm()
  {
    m_timer.expires_after(m_options.idle_timeout);
    m_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) {
        return;  // restarted or cancelled
      }
      m_output.idle_killed = true;
      std::error_code ignored;
      m_child.terminate(ignored);
      boost::system::error_code closed;
      m_pipe.close(closed);
    });
  }

  void read()
  {
    m_pipe.async_read_some(boost::asio::buffer(m_buffer), [this](const boost::system::error_code& ec, std::size_t n) {
      if (n > 0) {
        const std::string_view piece(m_buffer.data(), n);
        m_output.out.append(piece);
        if (m_output.out.size() > 2 * k_kept_output) {
          m_output.out.erase(0, m_output.out.size() - k_kept_output);
        }
        if (m_options.on_output) {
          m_options.on_output(piece);
        }
      }
      if (ec) {
        m_timer.cancel();
        return;
      }
      arm();
      read();
    });
  }

  boost::asio::steady_timer m_timer;
  bp::async_pipe& m_pipe;
  bp::child& m_child;
  const StreamOptions& m_options;
  ProcessOutput& m_output;
  std::array<char, 16384> m_buffer{};
};

}  // namespace

Result<ProcessOutput> run_process_streaming(const std::filesystem::path& program, const std::vector<std::string>& args,
                                            const StreamOptions& options)
{
  const std::string shown = program.string();
  try {
    boost::asio::io_context io;
    bp::async_pipe pipe(io);
    // In envsetup's own process group, so that Ctrl-C on the terminal reaches it too.
    bp::child child(bp::exe = shown, bp::args = args, bp::std_in.close(), (bp::std_out & bp::std_err) > pipe);
    ProcessOutput output;
    StreamReader reader(io, pipe, child, options, output);
    reader.start();
    io.run();
    // The pipe is closed; a program that closed its output but goes on silently is still
    // held to the idle timeout.
    // (Polled: Boost 1.74's wait_for can miss SIGCHLD and sleep the whole timeout.)
    const auto closed_at = std::chrono::steady_clock::now();
    std::error_code polled;
    while (!output.idle_killed && child.running(polled)) {
      if (std::chrono::steady_clock::now() - closed_at > options.idle_timeout) {
        output.idle_killed = true;
        std::error_code ignored;
        child.terminate(ignored);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::error_code waited;
    child.wait(waited);
    output.exit_code = output.idle_killed ? -1 : child.exit_code();
    return output;
  } catch (const std::exception& e) {
    return make_error(ErrorKind::environment, "cannot run `" + shown + "`").with_cause(e.what());
  }
}

}  // namespace envsetup::util
