// SPDX-License-Identifier: Apache-2.0
#include "loopback_server.hpp"

// cpp-httplib is a system header (see CMakeLists.txt); the pragmas keep our warning flags
// quiet should it ever be found through a plain -I.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wnull-dereference"
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
#pragma GCC diagnostic ignored "-Woverloaded-virtual"
#include <httplib.h>
#pragma GCC diagnostic pop

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace envsetup::testing {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t max_chunk = 64 * 1024;           // bytes per provider call
constexpr std::uint64_t min_rate_chunk = 512;            // smallest chunk when rate-limited
constexpr std::uint64_t wrong_bytes_period = 64 * 1024;  // wrong_bytes: every this many bytes
constexpr std::size_t worker_threads = 32;               // concurrent connections served
constexpr std::size_t keep_alive_requests = 100;         // requests per connection
constexpr char filler_byte = '#';                        // long_body: the appended bytes
constexpr const char* octet_stream = "application/octet-stream";

// Set on a worker thread when our handler has recorded the request it answers; the logger
// (called on the same thread once that response is written) then clears it instead of
// recording the request again. Requests httplib answers itself (400, 414, unparsable
// Range -> 416, methods other than GET/HEAD -> 404) reach only the logger.
thread_local bool t_recorded = false;

// Kinds that only change the body: they apply to GET, not HEAD.
bool body_only(Fault::Kind kind)
{
  return kind == Fault::Kind::close_after || kind == Fault::Kind::stall || kind == Fault::Kind::trickle ||
         kind == Fault::Kind::wrong_bytes;
}

// A read-only file descriptor, closed with the last response using it.
class FileHandle {
public:
  explicit FileHandle(const fs::path& path) : m_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~FileHandle()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;

  [[nodiscard]] bool is_open() const { return m_fd >= 0; }

  // Reads exactly `size` bytes at `offset` into `out`; false on error or end of file.
  bool read_at(char* out, std::uint64_t size, std::uint64_t offset) const
  {
    while (size > 0) {
      const ssize_t got = ::pread(m_fd, out, static_cast<std::size_t>(size), static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got <= 0) {
        return false;
      }
      const auto count = static_cast<std::uint64_t>(got);
      out += count;
      size -= count;
      offset += count;
    }
    return true;
  }

private:
  int m_fd;
};

// Everything one GET body needs; owned by the response's content provider.
struct BodyPlan {
  std::shared_ptr<FileHandle> file;
  std::uint64_t file_size = 0;  // bytes the file has (past them: long_body filler)
  std::uint64_t first = 0;      // position in the served content of the first body byte
  std::uint64_t length = 0;     // body bytes
  Fault::Kind kind = Fault::Kind::none;
  std::uint64_t fault_bytes = 0;  // close_after / stall: body bytes before the fault
  int stall_seconds = 0;
  int trickle_rate = 16;  // trickle: bytes per second after fault_bytes
  std::optional<Clock::time_point> trickle_started;
  std::uint64_t rate = 0;  // bytes per second, 0 = unlimited
  std::uint64_t chunk = max_chunk;
  std::optional<Clock::time_point> started;  // first provider call (rate limiting)
  std::vector<char> buffer;
};

// The result of reading a Range header against content of a given size.
struct RangeRequest {
  enum class Kind { none, one, unsatisfiable };
  Kind kind = Kind::none;
  std::uint64_t first = 0;  // inclusive
  std::uint64_t last = 0;   // inclusive
};

std::string trim(const std::string& text)
{
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) {
    return "";
  }
  const auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

// Parses all of `text` as a decimal number; nullopt if it is not one or overflows.
std::optional<std::uint64_t> parse_number(const std::string& text)
{
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return std::nullopt;
  }
  return value;
}

// `header`: the raw Range header ("" = none); `size`: the content's size. One range is
// honoured; several are ignored (the whole content is served, as RFC 9110 allows).
RangeRequest parse_range(const std::string& header, std::uint64_t size)
{
  RangeRequest result;
  const std::string prefix = "bytes=";
  if (header.empty() || header.compare(0, prefix.size(), prefix) != 0) {
    return result;  // httplib already answered 416 to any other non-empty header
  }
  const std::string spec = header.substr(prefix.size());
  if (spec.find(',') != std::string::npos) {
    return result;
  }
  result.kind = RangeRequest::Kind::unsatisfiable;
  const auto dash = spec.find('-');
  if (dash == std::string::npos) {
    return result;
  }
  const std::string first_text = trim(spec.substr(0, dash));
  const std::string last_text = trim(spec.substr(dash + 1));
  if (first_text.empty()) {
    const auto suffix = parse_number(last_text);
    if (!suffix || *suffix == 0 || size == 0) {
      return result;
    }
    result.first = size - std::min(*suffix, size);
    result.last = size - 1;
  } else {
    const auto first = parse_number(first_text);
    if (!first || *first >= size) {
      return result;
    }
    result.first = *first;
    result.last = size - 1;
    if (!last_text.empty()) {
      const auto last = parse_number(last_text);
      if (!last || *last < *first) {
        return result;
      }
      result.last = std::min(*last, size - 1);
    }
  }
  result.kind = RangeRequest::Kind::one;
  return result;
}

// True when `path` (as requested) is absolute and has no ".." segment.
bool is_safe_path(const std::string& path)
{
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos) {
    return false;
  }
  std::size_t begin = 1;
  while (begin <= path.size()) {
    auto end = path.find('/', begin);
    if (end == std::string::npos) {
      end = path.size();
    }
    if (path.compare(begin, end - begin, "..") == 0) {
      return false;
    }
    begin = end + 1;
  }
  return true;
}

// True when `inner` is `outer` or below it (both canonical).
bool is_within(const fs::path& outer, const fs::path& inner)
{
  auto outer_it = outer.begin();
  auto inner_it = inner.begin();
  for (; outer_it != outer.end(); ++outer_it, ++inner_it) {
    if (inner_it == inner.end() || *outer_it != *inner_it) {
      return false;
    }
  }
  return true;
}

// True when `address` is 127.0.0.1:`port` (fields in network byte order, read byte by byte).
bool is_loopback_port(const sockaddr_in& address, int port)
{
  const auto* ip = reinterpret_cast<const unsigned char*>(&address.sin_addr);
  const auto* port_bytes = reinterpret_cast<const unsigned char*>(&address.sin_port);
  return address.sin_family == AF_INET && ip[0] == 127 && ip[1] == 0 && ip[2] == 0 && ip[3] == 1 &&
         port_bytes[0] * 256 + port_bytes[1] == port;
}

// Shuts down (without closing: the owning thread still does that) every connected TCP socket
// of this process whose local address is 127.0.0.1:`port`, i.e. every connection the server
// accepted. httplib's workers otherwise notice a stop only between requests: an idle
// keep-alive connection holds its worker up to the keep-alive timeout, a send to a client
// that does not read up to the write timeout.
void shutdown_accepted_connections(int port)
{
  std::error_code ec;
  fs::directory_iterator it("/proc/self/fd", ec);
  if (ec) {
    return;
  }
  std::vector<int> fds;
  for (const auto& entry : it) {
    if (const auto fd = parse_number(entry.path().filename().string())) {
      fds.push_back(static_cast<int>(*fd));
    }
  }
  for (const int fd : fds) {
    sockaddr_in local{};
    socklen_t length = sizeof(local);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0 ||
        length < sizeof(local) || !is_loopback_port(local, port)) {
      continue;
    }
    int listening = 0;
    socklen_t option_length = sizeof(listening);
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &option_length) != 0 || listening != 0) {
      continue;
    }
    ::shutdown(fd, SHUT_RDWR);
  }
}

}  // namespace

class LoopbackServer::Impl {
public:
  explicit Impl(Options options);
  ~Impl() { stop(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  [[nodiscard]] int port() const { return m_port; }
  [[nodiscard]] const std::string& base_url() const { return m_base_url; }

  void set_fault(const std::string& path, Fault fault)
  {
    const std::lock_guard lock(m_mutex);
    if (fault.kind == Fault::Kind::none || fault.times == 0) {
      m_faults.erase(path);
    } else {
      m_faults[path] = std::move(fault);
    }
  }

  void clear_faults()
  {
    const std::lock_guard lock(m_mutex);
    m_faults.clear();
  }

  [[nodiscard]] std::vector<RequestRecord> requests() const
  {
    const std::lock_guard lock(m_mutex);
    return m_requests;
  }

  void clear_requests()
  {
    const std::lock_guard lock(m_mutex);
    m_requests.clear();
  }

  void stop();

private:
  httplib::Server::HandlerResponse handle(const httplib::Request& req, httplib::Response& res);
  void answer(const httplib::Request& req, httplib::Response& res, const std::string& range_header);
  std::optional<Fault> take_fault(const std::string& path, bool head);
  // The regular file `path` (as requested) names below the root, or nullopt.
  std::optional<fs::path> resolve(const std::string& path) const;
  void record(RequestRecord request);
  // Waits until `deadline` or stop(), whichever comes first; true when stopping.
  bool wait_for_stop(Clock::time_point deadline);
  [[nodiscard]] bool stopping();
  // The content provider of a GET body: sends the next chunk at body offset `offset`;
  // false closes the connection (faults, stop(), a failed write or read).
  bool provide(BodyPlan& plan, std::uint64_t offset, httplib::DataSink& sink);

  Options m_options;
  fs::path m_root;  // canonical
  int m_port = 0;
  std::string m_base_url;
  std::unique_ptr<httplib::Server> m_server;
  std::thread m_thread;
  std::atomic<bool> m_listen_returned{false};

  mutable std::mutex m_mutex;  // guards m_faults and m_requests
  std::map<std::string, Fault> m_faults;
  std::vector<RequestRecord> m_requests;

  std::mutex m_stop_mutex;  // guards m_stopping and m_stopped
  std::condition_variable m_stop_cv;
  bool m_stopping = false;
  bool m_stopped = false;
};

LoopbackServer::Impl::Impl(Options options) : m_options(std::move(options))
{
  std::error_code ec;
  m_root = fs::canonical(m_options.root, ec);
  if (ec || !fs::is_directory(m_root, ec)) {
    throw std::runtime_error("loopback server: root is not a folder: " + m_options.root.string());
  }
  if (m_options.https) {
    m_server = std::make_unique<httplib::SSLServer>(m_options.cert_file.c_str(), m_options.key_file.c_str());
    if (!m_server->is_valid()) {
      throw std::runtime_error("loopback server: cannot load the certificate " + m_options.cert_file.string() +
                               " or the key " + m_options.key_file.string());
    }
  } else {
    m_server = std::make_unique<httplib::Server>();
  }

  m_server->new_task_queue = [] { return new httplib::ThreadPool(worker_threads); };
  // Replaces httplib's default (SO_REUSEADDR and SO_REUSEPORT): without SO_REUSEPORT a port
  // that is in use really fails to bind.
  m_server->set_socket_options([](int sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  m_server->set_tcp_nodelay(true);
  m_server->set_keep_alive_max_count(keep_alive_requests);
  m_server->set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return handle(req, res); });
  m_server->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    if (t_recorded) {
      t_recorded = false;
      return;
    }
    record({req.method, req.path, req.get_header_value("Range"), res.status});
  });

  const std::string host = "127.0.0.1";
  if (m_options.port == 0) {
    m_port = m_server->bind_to_any_port(host);
  } else {
    m_port = m_server->bind_to_port(host, m_options.port) ? m_options.port : -1;
  }
  if (m_port <= 0) {
    throw std::runtime_error("loopback server: cannot bind " + host + ":" + std::to_string(m_options.port));
  }
  m_base_url = (m_options.https ? "https://" : "http://") + host + ":" + std::to_string(m_port);

  m_thread = std::thread([this] {
    m_server->listen_after_bind();
    m_listen_returned = true;
  });
  // httplib's stop() does nothing before the accept loop runs: wait for it, so that a stop()
  // right after construction cannot be lost. (The socket already listens: connections made
  // meanwhile wait in the backlog.)
  while (!m_server->is_running() && !m_listen_returned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!m_server->is_running()) {
    m_thread.join();
    throw std::runtime_error("loopback server: the accept loop ended at once on " + m_base_url);
  }
}

void LoopbackServer::Impl::stop()
{
  {
    const std::lock_guard lock(m_stop_mutex);
    if (m_stopped) {
      return;
    }
    m_stopped = true;
    m_stopping = true;
  }
  m_stop_cv.notify_all();  // wakes stalls and rate-limit pauses
  m_server->stop();        // closes the listening socket; the accept loop ends
  shutdown_accepted_connections(m_port);
  if (m_thread.joinable()) {
    m_thread.join();  // listen_after_bind() returns once every worker has ended
  }
}

bool LoopbackServer::Impl::stopping()
{
  const std::lock_guard lock(m_stop_mutex);
  return m_stopping;
}

bool LoopbackServer::Impl::wait_for_stop(Clock::time_point deadline)
{
  std::unique_lock lock(m_stop_mutex);
  return m_stop_cv.wait_until(lock, deadline, [this] { return m_stopping; });
}

void LoopbackServer::Impl::record(RequestRecord request)
{
  const std::lock_guard lock(m_mutex);
  m_requests.push_back(std::move(request));
}

std::optional<Fault> LoopbackServer::Impl::take_fault(const std::string& path, bool head)
{
  const std::lock_guard lock(m_mutex);
  const auto it = m_faults.find(path);
  if (it == m_faults.end() || (head && body_only(it->second.kind))) {
    return std::nullopt;
  }
  Fault fault = it->second;
  if (it->second.times > 0 && --it->second.times == 0) {
    m_faults.erase(it);
  }
  return fault;
}

std::optional<fs::path> LoopbackServer::Impl::resolve(const std::string& path) const
{
  std::error_code ec;
  const fs::path file = fs::canonical(m_root / fs::path(path).relative_path(), ec);
  if (ec || !is_within(m_root, file) || !fs::is_regular_file(file, ec) || ec) {
    return std::nullopt;
  }
  return file;
}

httplib::Server::HandlerResponse LoopbackServer::Impl::handle(const httplib::Request& req,
                                                              httplib::Response& res)
{
  if (req.method != "GET" && req.method != "HEAD") {
    return httplib::Server::HandlerResponse::Unhandled;
  }
  // Ranges are handled here, completely: drop httplib's parsed copy so that it does not
  // apply them a second time to what we answer. (httplib hands its own non-const Request
  // out as const, so the cast is sound.)
  const_cast<httplib::Request&>(req).ranges.clear();
  const std::string range_header = req.get_header_value("Range");
  try {
    answer(req, res, range_header);
  } catch (const std::exception& error) {
    res.status = 500;
    res.set_content(std::string("loopback server: ") + error.what() + "\n", "text/plain");
  }
  record({req.method, req.path, range_header, res.status});
  t_recorded = true;
  return httplib::Server::HandlerResponse::Handled;
}

void LoopbackServer::Impl::answer(const httplib::Request& req, httplib::Response& res,
                                  const std::string& range_header)
{
  const bool head = req.method == "HEAD";
  const std::optional<Fault> fault = take_fault(req.path, head);
  const Fault::Kind kind = fault ? fault->kind : Fault::Kind::none;

  if (kind == Fault::Kind::status) {
    res.status = fault->status;
    if (fault->retry_after_seconds >= 0) {
      res.set_header("Retry-After", std::to_string(fault->retry_after_seconds));
    }
    res.set_content("injected status " + std::to_string(fault->status) + "\n", "text/plain");
    return;
  }
  if (kind == Fault::Kind::redirect) {
    const std::string& target = fault->redirect_to;
    res.status = 302;
    res.set_header("Location", !target.empty() && target.front() == '/' ? m_base_url + target : target);
    res.set_content("redirect\n", "text/plain");
    return;
  }
  if (!is_safe_path(req.path)) {
    res.status = 400;
    res.set_content("bad path\n", "text/plain");
    return;
  }
  const std::optional<fs::path> file = resolve(req.path);
  std::error_code ec;
  const std::uint64_t file_size = file ? fs::file_size(*file, ec) : 0;
  std::shared_ptr<FileHandle> handle = file && !ec && !head ? std::make_shared<FileHandle>(*file) : nullptr;
  if (!file || ec || (handle && !handle->is_open())) {
    res.status = 404;
    res.set_content("not found\n", "text/plain");
    return;
  }

  // The content served: the file, cut or extended by short_body / long_body.
  std::uint64_t size = file_size;
  if (kind == Fault::Kind::short_body) {
    size -= std::min(fault->bytes, size);
  } else if (kind == Fault::Kind::long_body) {
    size += fault->bytes;
  }

  const RangeRequest range =
      kind == Fault::Kind::ignore_range ? RangeRequest{} : parse_range(range_header, size);
  if (range.kind == RangeRequest::Kind::unsatisfiable) {
    res.status = 416;
    res.set_header("Content-Range", "bytes */" + std::to_string(size));
    res.set_content("range not satisfiable\n", "text/plain");
    return;
  }
  std::uint64_t first = 0;
  std::uint64_t length = size;
  res.status = 200;
  if (range.kind == RangeRequest::Kind::one) {
    first = range.first;
    length = range.last - range.first + 1;
    res.status = 206;
    res.set_header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                        std::to_string(range.last) + "/" + std::to_string(size));
  }
  res.set_header("Accept-Ranges", "bytes");
  if (length == 0) {
    // No provider: httplib then sends "Content-Length: 0" itself.
    res.set_header("Content-Type", octet_stream);
    return;
  }
  if (head) {
    // Gives httplib the Content-Length; a HEAD body is never asked for.
    res.set_content_provider(static_cast<std::size_t>(length), octet_stream,
                             [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
    return;
  }

  auto plan = std::make_shared<BodyPlan>();
  plan->file = std::move(handle);
  plan->file_size = file_size;
  plan->first = first;
  plan->length = length;
  plan->kind = kind;
  if (fault) {
    plan->fault_bytes = fault->bytes;
    plan->stall_seconds = fault->stall_seconds;
    plan->trickle_rate = std::max(1, fault->trickle_bytes_per_second);
  }
  plan->rate = m_options.rate_limit;
  if (plan->rate > 0) {
    plan->chunk = std::clamp(plan->rate / 16, min_rate_chunk, max_chunk);
  }
  plan->buffer.resize(static_cast<std::size_t>(plan->chunk));
  res.set_content_provider(static_cast<std::size_t>(length), octet_stream,
                           [this, plan](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                             return provide(*plan, offset, sink);
                           });
}

bool LoopbackServer::Impl::provide(BodyPlan& plan, std::uint64_t offset, httplib::DataSink& sink)
{
  // Runs inside httplib's writer, outside its exception handling: nothing may escape.
  try {
    if (stopping() || offset >= plan.length) {
      return false;
    }
    std::uint64_t count = std::min(plan.length - offset, plan.chunk);
    if (plan.kind == Fault::Kind::close_after || plan.kind == Fault::Kind::stall) {
      if (offset >= plan.fault_bytes) {
        if (plan.kind == Fault::Kind::stall) {
          wait_for_stop(Clock::now() + std::chrono::seconds(plan.stall_seconds));
        }
        return false;
      }
      count = std::min(count, plan.fault_bytes - offset);
    }
    if (plan.kind == Fault::Kind::trickle) {
      if (offset < plan.fault_bytes) {
        count = std::min(count, plan.fault_bytes - offset);
      } else {
        if (!plan.trickle_started) {
          plan.trickle_started = Clock::now();
        }
        const std::chrono::duration<double> due(static_cast<double>(offset - plan.fault_bytes + 1) /
                                                static_cast<double>(plan.trickle_rate));
        if (wait_for_stop(*plan.trickle_started + std::chrono::duration_cast<Clock::duration>(due))) {
          return false;
        }
        count = 1;
      }
    }
    if (plan.rate > 0) {
      if (!plan.started) {
        plan.started = Clock::now();
      }
      const std::chrono::duration<double> due(static_cast<double>(offset) / static_cast<double>(plan.rate));
      if (wait_for_stop(*plan.started + std::chrono::duration_cast<Clock::duration>(due))) {
        return false;
      }
    }

    char* const out = plan.buffer.data();
    const std::uint64_t position = plan.first + offset;  // in the served content
    const std::uint64_t from_file =
        position < plan.file_size ? std::min(count, plan.file_size - position) : 0;
    if (from_file > 0 && !plan.file->read_at(out, from_file, position)) {
      return false;
    }
    std::fill(out + from_file, out + count, filler_byte);
    if (plan.kind == Fault::Kind::wrong_bytes) {
      for (std::uint64_t i = (wrong_bytes_period - offset % wrong_bytes_period) % wrong_bytes_period; i < count;
           i += wrong_bytes_period) {
        out[i] = static_cast<char>(~static_cast<unsigned char>(out[i]));
      }
    }
    return sink.write(out, static_cast<std::size_t>(count));
  } catch (...) {
    return false;
  }
}

LoopbackServer::LoopbackServer(Options options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

LoopbackServer::~LoopbackServer() = default;

int LoopbackServer::port() const
{
  return m_impl->port();
}

std::string LoopbackServer::base_url() const
{
  return m_impl->base_url();
}

void LoopbackServer::set_fault(const std::string& path, Fault fault)
{
  m_impl->set_fault(path, std::move(fault));
}

void LoopbackServer::clear_faults()
{
  m_impl->clear_faults();
}

std::vector<RequestRecord> LoopbackServer::requests() const
{
  return m_impl->requests();
}

void LoopbackServer::clear_requests()
{
  m_impl->clear_requests();
}

void LoopbackServer::stop()
{
  m_impl->stop();
}

}  // namespace envsetup::testing
