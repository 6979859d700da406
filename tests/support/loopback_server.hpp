// SPDX-License-Identifier: Apache-2.0
// A loopback HTTP(S) file server for tests and benchmarks, with per-path fault injection.
//
// Serves GET and HEAD of the regular files below a root folder on 127.0.0.1 (never any other
// address), on background threads, and records every request. Built on cpp-httplib, which
// stays out of this header.
//
// Responses (no fault):
//   - 200 with the whole file, or 206 with `Content-Range: bytes FIRST-LAST/SIZE` for one
//     satisfiable range (`bytes=N-`, `bytes=N-M`, `bytes=-SUFFIX`; M past the end is clamped);
//     416 with `Content-Range: bytes */SIZE` for an unsatisfiable one (N >= SIZE, a zero
//     suffix, any range of an empty file) or one cpp-httplib cannot parse (`bytes=5-3`, junk).
//     Several ranges (`bytes=0-1,5-6`) are ignored: 200 with the whole file.
//   - Always `Content-Length`, `Accept-Ranges: bytes`, `Content-Type: application/octet-stream`.
//     HEAD answers the same status and headers as GET, without a body.
//   - 404 for a missing file, a folder, or a path leaving the root through a symbolic link;
//     400 for a path with a `..` segment or not starting with `/`. Other methods: 404.
//   - Bodies are streamed from the file in chunks of at most 64 KiB; a file is never read
//     into memory whole.
//   - Connections are kept alive between requests (HTTP/1.1 keep-alive).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace envsetup::testing {

// One injected fault for one path. A fault matches a request whose path (percent-decoded,
// without the query) equals the path given to set_fault().
//
// Which requests a fault applies to:
//   - status, redirect, short_body, long_body, ignore_range: GET and HEAD (HEAD shows the
//     status and headers the faulty GET would have).
//   - close_after, stall, trickle, wrong_bytes: GET only; they only change the body, so a HEAD is
//     answered normally and does not use up `times`.
// Each request a fault applies to uses up one of `times`; when none are left the fault is
// removed and the path is served normally again. status and redirect are answered whether
// or not the file exists; the other kinds need it (a missing file is still a 404).
struct Fault {
  enum class Kind {
    none,          // no fault; set_fault(path, Fault{}) removes the path's fault
    close_after,   // headers for the full (or ranged) length, then `bytes` body bytes, then
                   // the connection is closed: the client sees a truncated transfer. With a
                   // Range request the count starts at the range start. `bytes` >= the body
                   // length: the body is sent complete.
    status,        // answers `status` with a short text body (+ `Retry-After` if >= 0)
    stall,         // like close_after, but after `bytes` body bytes the connection goes
                   // silent for `stall_seconds` (cut short by stop()), then is closed
    wrong_bytes,   // same status, headers and length, but every body byte whose position in
                   // the body is a multiple of 65536 (so always the first) is inverted: the
                   // content, and so its sha256, differs
    short_body,    // the file is served as if it were `bytes` shorter (its last bytes cut):
                   // a complete, consistent response whose Content-Length (and Content-Range
                   // total) is `bytes` less than the file's size
    long_body,     // the file is served as if `bytes` filler bytes ('#') were appended;
                   // Content-Length (and Content-Range total) include them
    redirect,      // 302 with `Location: redirect_to` (a path is made absolute with
                   // base_url(); anything else is sent as given)
    ignore_range,  // always 200 with the whole file, even when Range was sent
    trickle,       // like close_after, but after `bytes` body bytes the rest of the body
                   // comes one byte at a time, `trickle_bytes_per_second` bytes a second
                   // (a mirror that never stalls outright but never gets anywhere; cut short
                   // by stop())
  };
  Kind kind = Kind::none;
  std::uint64_t bytes = 0;       // close_after / stall / trickle: body bytes sent before
                                 // closing / stalling / trickling; short_body: bytes removed; long_body: bytes added
  int status = 503;              // status: the HTTP status to answer (e.g. 503, 429, 404, 500)
  int retry_after_seconds = -1;  // status: Retry-After header value (omitted when < 0)
  int stall_seconds = 0;         // stall: how long to stall before closing (bounded by stop())
  int trickle_bytes_per_second = 16;  // trickle: the body's rate after `bytes` (at least 1)
  std::string redirect_to;       // redirect: target path ("/other/file") answered with 302
  int times = -1;                // how many requests the fault applies to; -1 = all;
                                 // afterwards the path is served normally
};

// One request as the server saw it.
struct RequestRecord {
  std::string method;  // "GET", "HEAD", ... ("" when the request line was unreadable)
  std::string path;    // percent-decoded, without the query
  std::string range;   // the raw Range header, or "" when there was none
  int status = 0;      // the status answered (the status line, also when the body was cut)
};

class LoopbackServer {
public:
  struct Options {
    // Every member has a default initializer, so `Options{root}` is warning-free
    // (-Wmissing-field-initializers).
    std::filesystem::path root{};  // the folder served
    bool https = false;            // TLS with cert_file / key_file (PEM)
    std::filesystem::path cert_file{}, key_file{};
    std::uint64_t rate_limit = 0;  // bytes per second per connection, 0 = unlimited
    int port = 0;                  // 0 = any free port; else exactly this one
  };

  // Binds 127.0.0.1 (on a free port unless options.port is set) and serves on background
  // threads; connections are accepted as soon as it returns. Throws std::runtime_error if
  // the root is not a folder, the certificate or key cannot be loaded, or it cannot bind.
  explicit LoopbackServer(Options options);
  // Stops and joins promptly, also while a stall, a rate-limit pause or an idle keep-alive
  // connection is in progress.
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  [[nodiscard]] int port() const;
  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT" (no trailing slash).
  [[nodiscard]] std::string base_url() const;

  // Sets (replaces) the fault of `path` as requested, e.g. "/cuda/redist/x.tar.xz".
  // Thread-safe; applies to requests that arrive afterwards.
  void set_fault(const std::string& path, Fault fault);
  void clear_faults();

  // Every request so far, in arrival order (thread-safe). A GET or HEAD is recorded when its
  // status is decided, before any of its response is sent, so a client that has seen a
  // response finds it here. Requests cpp-httplib answers itself (an unreadable request line,
  // a Range it cannot parse -> 416, other methods -> 404) are recorded once answered.
  [[nodiscard]] std::vector<RequestRecord> requests() const;
  void clear_requests();

  // Stops accepting, cuts open connections (also stalled or idle ones) and joins every
  // server thread. Idempotent; called by the destructor.
  void stop();

private:
  class Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace envsetup::testing
