#include "io/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lvs::ctl {
namespace {

// Responses carry the whole connection table; this bounds what a confused peer can make us
// buffer (about 3 million connections' worth).
constexpr std::size_t kMaxResponseBytes = 256u << 20;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string errno_text(int err) { return std::strerror(err); }

// Waits for `events` on `fd` until `deadline`; false on timeout or poll error (errno set).
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      errno = ETIMEDOUT;
      return false;
    }
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n == 0) {
      errno = ETIMEDOUT;
      return false;
    }
    if (errno != EINTR) return false;
  }
}

// One connection: connect, send, read to the end. `refused_unread` is set when the director
// turned the request away before reading it (evicted while still sending, or busy), which makes
// a retry safe whatever the command.
std::variant<std::string, ClientError> exchange_once(const std::string& socket_path,
                                                     std::string_view request,
                                                     std::chrono::milliseconds timeout,
                                                     std::chrono::steady_clock::time_point deadline,
                                                     bool& refused_unread) {
  refused_unread = false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path) {
    return ClientError{"control socket path '" + socket_path + "' is " +
                       (socket_path.empty()
                            ? "empty"
                            : "too long for a Unix socket (max " +
                                  std::to_string(sizeof addr.sun_path - 1) + " bytes)")};
  }
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());

  Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (sock.get() < 0) {
    return ClientError{"cannot create a Unix socket: " + errno_text(errno)};
  }
  if (::connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    std::string hint = err == EACCES || err == EPERM ? " (run lvsadm as root, or check the "
                                                       "socket's permissions)"
                                                     : " (is lvs-director running?)";
    return ClientError{"cannot connect to " + socket_path + ": " + errno_text(err) + hint};
  }

  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_for(sock.get(), POLLOUT, deadline)) {
      return ClientError{"cannot send the request to " + socket_path + ": " + errno_text(errno)};
    }
    ssize_t n = ::send(sock.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      // Closed by a full director before our line was complete: it never saw the request.
      refused_unread = errno == EPIPE || errno == ECONNRESET;
      return ClientError{"cannot send the request to " + socket_path + ": " + errno_text(errno)};
    }
    sent += static_cast<std::size_t>(n);
  }
  // Tells the director the request is complete; it answers and closes.
  ::shutdown(sock.get(), SHUT_WR);

  std::string reply;
  char buf[65536];
  for (;;) {
    if (!wait_for(sock.get(), POLLIN, deadline)) {
      return ClientError{"no complete answer from " + socket_path + " within " +
                         std::to_string(timeout.count()) + " ms: " + errno_text(errno)};
    }
    ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      // A Unix socket closed with our request unread in it resets, after what was written
      // before the close: a full director's one-line busy/closed answer (checked below), or
      // nothing at all. Either way it never read the request.
      if (errno == ECONNRESET && !reply.empty() && reply.back() == '\n') break;
      refused_unread = errno == ECONNRESET && reply.empty();
      return ClientError{"cannot read the answer from " + socket_path + ": " + errno_text(errno)};
    }
    if (n == 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.size() > kMaxResponseBytes) {
      return ClientError{"answer from " + socket_path + " is larger than " +
                         std::to_string(kMaxResponseBytes >> 20) + " MiB; giving up"};
    }
  }
  // The director's two answers for a request it did not read (io/control_server.h).
  const std::string error = std::string(kProtocolTag) + " ERROR ";
  refused_unread = reply.starts_with(error + "closed:") || reply.starts_with(error + "busy:");
  return reply;
}

}  // namespace

std::variant<std::string, ClientError> send_request(const std::string& socket_path,
                                                    std::string_view request,
                                                    std::chrono::milliseconds timeout) {
  // A director with all its client slots taken by idle connections evicts the oldest one still
  // sending; an lvsadm caught between connect() and send() is retried, a few times within
  // `timeout`, never after the director has read its request (so a retried neigh add cannot
  // run twice).
  constexpr int kAttempts = 4;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::variant<std::string, ClientError> result;
  for (int attempt = 1;; ++attempt) {
    bool refused_unread = false;
    result = exchange_once(socket_path, request, timeout, deadline, refused_unread);
    if (!refused_unread) return result;
    if (attempt == kAttempts ||
        std::chrono::steady_clock::now() + std::chrono::milliseconds(20 * attempt) >= deadline) {
      if (std::holds_alternative<std::string>(result)) return result;  // its busy/closed answer
      return ClientError{"lvs-director at " + socket_path + " turned the request away " +
                         std::to_string(attempt) +
                         " times unread (all its client slots were taken): " +
                         std::get<ClientError>(result).message};
    }
    ::poll(nullptr, 0, 20 * attempt);
  }
}

std::variant<Snapshot, ClientError> fetch_snapshot(const std::string& socket_path, Command command,
                                                   std::chrono::milliseconds timeout) {
  auto reply = send_request(socket_path, encode_request(Request{command}), timeout);
  if (auto* err = std::get_if<ClientError>(&reply)) return *err;
  auto decoded = decode_response(std::get<std::string>(reply));
  if (auto* err = std::get_if<ProtocolError>(&decoded)) {
    return ClientError{err->message.starts_with("lvs-director: ")
                           ? err->message
                           : "bad answer from " + socket_path + ": " + err->message};
  }
  return std::get<Snapshot>(std::move(decoded));
}

}  // namespace lvs::ctl
