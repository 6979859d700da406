// SPDX-License-Identifier: Apache-2.0
// envsetup_test_server: the loopback test server as a program, for benchmarks and manual
// checks. Prints its base URL on one line on stdout once listening, then serves until
// stdin reaches end of file (unless --no-stdin) or SIGTERM/SIGINT arrives, then exits 0.
// Exit status: 0 after a normal stop, 1 when the server cannot start, 2 on bad arguments.
#include "loopback_server.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using envsetup::testing::Fault;
using envsetup::testing::LoopbackServer;

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

constexpr const char* usage_text = R"(usage: envsetup_test_server --root DIR [options]

Serves the files below DIR over HTTP(S) on 127.0.0.1, prints the base URL on stdout, and
runs until stdin reaches end of file or SIGTERM/SIGINT arrives.

options:
  --root DIR              folder to serve (required)
  --port N                port to bind (default 0: any free port)
  --https CERT KEY        serve HTTPS with this PEM certificate and key
  --rate BYTES_PER_SEC    limit each connection's body rate (default 0: unlimited)
  --fault PATH=KIND[:ARG...]
                          inject a fault for requests of PATH (repeatable; the last one
                          given for a PATH wins). TIMES: requests it applies to, default
                          -1 = all.
                            close_after:BYTES[:TIMES]
                            status:STATUS[:RETRY_AFTER[:TIMES]]   (RETRY_AFTER -1: none)
                            stall:BYTES[:SECONDS[:TIMES]]
                            trickle:BYTES[:BYTES_PER_SEC[:TIMES]]  (default 16 bytes/s)
                            wrong_bytes[:TIMES]
                            short_body:BYTES[:TIMES]
                            long_body:BYTES[:TIMES]
                            redirect:TARGET[:TIMES]  (TARGET a path like /f; a URL such as
                                                      http://h:1/f is taken whole, no TIMES)
                            ignore_range[:TIMES]
  --no-stdin              do not watch stdin; run until a signal only
  -h, --help              show this help
)";

// Thrown for a bad command line; the message is shown with the usage hint.
class UsageError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

template <typename Number>
Number parse_number(const std::string& text, const std::string& what, Number min_value, Number max_value)
{
  Number value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min_value || value > max_value) {
    throw UsageError(what + ": not a number in [" + std::to_string(min_value) + ", " +
                     std::to_string(max_value) + "]: '" + text + "'");
  }
  return value;
}

std::vector<std::string> split(const std::string& text, char separator)
{
  std::vector<std::string> parts;
  std::size_t begin = 0;
  while (true) {
    const auto end = text.find(separator, begin);
    parts.push_back(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) {
      return parts;
    }
    begin = end + 1;
  }
}

// PATH=KIND[:ARG...] -> (PATH, fault). Syntax in usage_text.
std::pair<std::string, Fault> parse_fault(const std::string& spec)
{
  const auto equals = spec.find('=');
  if (equals == std::string::npos || equals == 0 || spec.front() != '/') {
    throw UsageError("--fault: expected /PATH=KIND[:ARG...], got '" + spec + "'");
  }
  const std::string path = spec.substr(0, equals);
  const std::string rest = spec.substr(equals + 1);
  const std::string what = "--fault " + spec;
  Fault fault;

  const auto colon = rest.find(':');
  const std::string kind = rest.substr(0, colon);
  if (kind == "redirect") {
    fault.kind = Fault::Kind::redirect;
    const std::string target = colon == std::string::npos ? "" : rest.substr(colon + 1);
    if (target.empty()) {
      throw UsageError(what + ": redirect needs a TARGET");
    }
    if (target.front() == '/') {
      const auto last = target.rfind(':');
      fault.redirect_to = target.substr(0, last);
      if (last != std::string::npos) {
        fault.times = parse_number<int>(target.substr(last + 1), what + " TIMES", -1, 1'000'000'000);
      }
    } else {
      fault.redirect_to = target;
    }
    return {path, fault};
  }

  const std::vector<std::string> args =
      colon == std::string::npos ? std::vector<std::string>{} : split(rest.substr(colon + 1), ':');
  // `required` leading arguments, then up to `optional` more; TIMES is always the last one.
  const auto expect = [&](std::size_t required, std::size_t optional) {
    if (args.size() < required || args.size() > required + optional) {
      throw UsageError(what + ": " + kind + " takes " + std::to_string(required) + " to " +
                       std::to_string(required + optional) + " arguments");
    }
  };
  const auto bytes = [&](std::size_t index) {
    return parse_number<std::uint64_t>(args.at(index), what + " BYTES", 0, UINT64_MAX);
  };
  const auto times = [&](std::size_t index) {
    if (index < args.size()) {
      fault.times = parse_number<int>(args[index], what + " TIMES", -1, 1'000'000'000);
    }
  };

  if (kind == "close_after") {
    fault.kind = Fault::Kind::close_after;
    expect(1, 1);
    fault.bytes = bytes(0);
    times(1);
  } else if (kind == "status") {
    fault.kind = Fault::Kind::status;
    expect(1, 2);
    fault.status = parse_number<int>(args[0], what + " STATUS", 100, 599);
    if (args.size() > 1) {
      fault.retry_after_seconds = parse_number<int>(args[1], what + " RETRY_AFTER", -1, 1'000'000'000);
    }
    times(2);
  } else if (kind == "stall") {
    fault.kind = Fault::Kind::stall;
    expect(1, 2);
    fault.bytes = bytes(0);
    if (args.size() > 1) {
      fault.stall_seconds = parse_number<int>(args[1], what + " SECONDS", 0, 1'000'000);
    }
    times(2);
  } else if (kind == "trickle") {
    fault.kind = Fault::Kind::trickle;
    expect(1, 2);
    fault.bytes = bytes(0);
    if (args.size() > 1) {
      fault.trickle_bytes_per_second = parse_number<int>(args[1], what + " BYTES_PER_SEC", 1, 1'000'000);
    }
    times(2);
  } else if (kind == "wrong_bytes") {
    fault.kind = Fault::Kind::wrong_bytes;
    expect(0, 1);
    times(0);
  } else if (kind == "short_body") {
    fault.kind = Fault::Kind::short_body;
    expect(1, 1);
    fault.bytes = bytes(0);
    times(1);
  } else if (kind == "long_body") {
    fault.kind = Fault::Kind::long_body;
    expect(1, 1);
    fault.bytes = bytes(0);
    times(1);
  } else if (kind == "ignore_range") {
    fault.kind = Fault::Kind::ignore_range;
    expect(0, 1);
    times(0);
  } else {
    throw UsageError(what + ": unknown fault kind '" + kind +
                     "' (close_after, status, stall, trickle, wrong_bytes, short_body, "
                     "long_body, redirect, ignore_range)");
  }
  return {path, fault};
}

struct CommandLine {
  LoopbackServer::Options server;
  std::vector<std::pair<std::string, Fault>> faults;
  bool watch_stdin = true;
  bool help = false;
};

CommandLine parse_command_line(int argc, char** argv)
{
  CommandLine command_line;
  const std::vector<std::string> args(argv + 1, argv + argc);
  bool has_root = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    const auto value = [&](std::size_t offset) -> const std::string& {
      if (i + offset >= args.size()) {
        throw UsageError(flag + ": missing value");
      }
      return args[i + offset];
    };
    if (flag == "-h" || flag == "--help") {
      command_line.help = true;
    } else if (flag == "--root") {
      command_line.server.root = value(1);
      has_root = true;
      i += 1;
    } else if (flag == "--port") {
      command_line.server.port = parse_number<int>(value(1), "--port", 0, 65535);
      i += 1;
    } else if (flag == "--https") {
      command_line.server.https = true;
      command_line.server.cert_file = value(1);
      command_line.server.key_file = value(2);
      i += 2;
    } else if (flag == "--rate") {
      command_line.server.rate_limit = parse_number<std::uint64_t>(value(1), "--rate", 0, UINT64_MAX);
      i += 1;
    } else if (flag == "--fault") {
      command_line.faults.push_back(parse_fault(value(1)));
      i += 1;
    } else if (flag == "--no-stdin") {
      command_line.watch_stdin = false;
    } else {
      throw UsageError("unknown argument '" + flag + "'");
    }
  }
  if (!has_root && !command_line.help) {
    throw UsageError("--root DIR is required");
  }
  return command_line;
}

// Blocks until stdin reaches end of file (when `watch_stdin`) or a signal in `signals`
// arrives (they must be blocked in every thread).
void wait_for_end(bool watch_stdin, const sigset_t& signals)
{
  const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0) {
    throw std::runtime_error("signalfd failed");
  }
  pollfd fds[2] = {{signal_fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
  const nfds_t count = watch_stdin ? 2 : 1;
  char buffer[4096];
  while (true) {
    if (::poll(fds, count, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    if (fds[0].revents != 0) {
      break;  // a signal; no need to read it
    }
    if (count > 1 && fds[1].revents != 0) {
      const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof(buffer));
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        break;  // end of file (or stdin unusable, e.g. closed)
      }
    }
  }
  ::close(signal_fd);
}

}  // namespace

int main(int argc, char** argv)
{
  CommandLine command_line;
  try {
    command_line = parse_command_line(argc, argv);
  } catch (const UsageError& error) {
    std::cerr << "envsetup_test_server: error: " << error.what() << "\n"
              << "  hint: envsetup_test_server --help\n";
    return exit_usage;
  }
  if (command_line.help) {
    std::cout << usage_text;
    return exit_ok;
  }

  // Blocked before the server starts its threads, which inherit the mask: the signals then
  // only reach the signalfd in wait_for_end().
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (::pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) {
    std::cerr << "envsetup_test_server: error: cannot block SIGINT/SIGTERM\n";
    return exit_failure;
  }

  try {
    LoopbackServer server(command_line.server);
    for (auto& [path, fault] : command_line.faults) {
      server.set_fault(path, fault);
    }
    std::cout << server.base_url() << std::endl;
    wait_for_end(command_line.watch_stdin, signals);
    server.stop();
  } catch (const std::exception& error) {
    std::cerr << "envsetup_test_server: error: " << error.what() << "\n";
    return exit_failure;
  }
  return exit_ok;
}
