#include "io/control_server.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "ctl/control_protocol.h"

namespace lvs::io {

namespace {

// Accepts per process() call: a burst of connects is spread over loop iterations.
constexpr int kMaxAcceptsPerCall = 16;
// Bytes read and thrown away after the request, so that closing does not reset the client
// (a Unix socket closed with unread input makes the peer's read fail with ECONNRESET).
constexpr std::size_t kMaxDrainBytes = 64 * 1024;
constexpr int kListenBacklog = 64;

std::string errno_text(int err) { return std::strerror(err); }

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// mkdir -p with mode 0755 for each directory it creates.
std::string make_directories(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    return S_ISDIR(st.st_mode) ? std::string() : dir + " exists and is not a directory";
  }
  if (errno != ENOENT) return "cannot inspect " + dir + ": " + errno_text(errno);
  if (const std::string parent = parent_of(dir); parent != dir) {
    if (auto err = make_directories(parent); !err.empty()) return err;
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return "cannot create directory " + dir + ": " + errno_text(errno);
  }
  return {};
}

bool fill_address(const std::string& path, sockaddr_un& addr) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.data(), path.size());
  return true;
}

// Someone accepting connections at `addr`? 1 yes, 0 no (a stale file), -1 cannot tell (errno).
int socket_is_live(const sockaddr_un& addr) {
  base::UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!probe.valid()) return -1;
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return 1;
  if (errno == ECONNREFUSED) return 0;
  if (errno == EAGAIN) return 1;  // its backlog is full: alive, just busy
  return -1;
}

bool watch(int epoll, int fd, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  return ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void drain(int fd) {
  char buf[4096];
  std::size_t total = 0;
  while (total < kMaxDrainBytes) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      total += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;
    }
  }
}

}  // namespace

// --- ControlListener --------------------------------------------------------------------------

std::variant<ControlListener, std::string> ControlListener::open(const std::string& path) {
  const std::string where = "control-socket " + path;
  sockaddr_un addr;
  if (!fill_address(path, addr)) {
    return where + ": the path must be 1.." + std::to_string(sizeof addr.sun_path - 1) +
           " bytes (a Unix socket path)";
  }
  if (auto err = make_directories(parent_of(path)); !err.empty()) {
    return where + ": " + err + "; create it or choose another control-socket";
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return where + ": exists and is not a socket; remove it or choose another control-socket";
    }
    const int live = socket_is_live(addr);
    if (live == 1) {
      return where +
             ": another lvs-director is answering there; stop it, or give this one "
             "another control-socket";
    }
    if (live < 0) return where + ": cannot check the existing socket: " + errno_text(errno);
    // Left behind by a director that did not exit cleanly.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return where + ": cannot remove the stale socket: " + errno_text(errno);
    }
  } else if (errno != ENOENT) {
    return where + ": " + errno_text(errno);
  }

  base::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return where + ": socket: " + errno_text(errno);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return where + ": bind: " + errno_text(errno);
  }
  if (::lstat(path.c_str(), &st) != 0) return where + ": " + errno_text(errno);
  ControlListener listener(std::move(fd), path, st.st_dev, st.st_ino);
  // From here on the destructor removes the file if anything below fails.
  if (::chmod(path.c_str(), 0660) != 0) return where + ": chmod 0660: " + errno_text(errno);
  if (::listen(listener.fd(), kListenBacklog) != 0) return where + ": listen: " + errno_text(errno);
  return listener;
}

ControlListener::ControlListener(ControlListener&& other) noexcept
    : fd_(std::move(other.fd_)),
      path_(std::exchange(other.path_, std::string())),
      dev_(other.dev_),
      ino_(other.ino_) {}

ControlListener& ControlListener::operator=(ControlListener&& other) noexcept {
  if (this != &other) {
    remove_file();
    fd_ = std::move(other.fd_);
    path_ = std::exchange(other.path_, std::string());
    dev_ = other.dev_;
    ino_ = other.ino_;
  }
  return *this;
}

ControlListener::~ControlListener() { remove_file(); }

void ControlListener::remove_file() {
  if (!fd_.valid() || path_.empty()) return;
  struct stat st {};
  // Only our own file: another director may have taken the path over since.
  if (::lstat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_) {
    ::unlink(path_.c_str());
  }
  fd_.reset();
}

// --- ControlServer ----------------------------------------------------------------------------

std::variant<ControlServer, std::string> ControlServer::open(ControlListener listener,
                                                             ControlServerOptions options) {
  base::UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid()) return "control socket: epoll_create1: " + errno_text(errno);
  if (!watch(epoll.get(), listener.fd(), EPOLLIN)) {
    return "control socket: epoll_ctl: " + errno_text(errno);
  }
  return ControlServer(std::move(epoll), std::move(listener), options);
}

std::string ControlServer::replace_listener(ControlListener& next) {
  if (!watch(epoll_.get(), next.fd(), EPOLLIN)) {
    return "control-socket " + next.path() + ": epoll_ctl: " + errno_text(errno);
  }
  if (!listener_paused_) ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.fd(), nullptr);
  listener_paused_ = false;
  std::swap(listener_, next);
  return {};
}

void ControlServer::process(std::uint64_t now_ms, const Responder& respond) {
  std::array<epoll_event, 32> events;
  const int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), 0);
  for (int i = 0; i < n; ++i) {
    const int fd = events[static_cast<std::size_t>(i)].data.fd;
    if (fd == listener_.fd()) {
      accept_clients(now_ms, respond);
      continue;
    }
    auto it = clients_.find(fd);
    if (it == clients_.end()) continue;
    Client& c = it->second;
    const bool done = c.writing ? write_answer(c) : read_request(c, now_ms, respond);
    if (done) close_client(fd);
  }
}

void ControlServer::accept_clients(std::uint64_t now_ms, const Responder& respond) {
  for (int i = 0; i < kMaxAcceptsPerCall; ++i) {
    base::UniqueFd fd(::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the pending connection would make the (level-triggered) listener
        // ready on every wait. Stop watching it until the next expire() tick.
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.fd(), nullptr);
        listener_paused_ = true;
      }
      return;
    }
    if (clients_.size() >= options_.max_clients && !evict_oldest_reader()) {
      ++counters_.busy;
      const std::string busy = ctl::encode_error_response(
          "busy: " + std::to_string(options_.max_clients) + " lvsadm requests in progress; retry");
      [[maybe_unused]] ssize_t n = ::send(fd.get(), busy.data(), busy.size(), MSG_NOSIGNAL);
      drain(fd.get());
      continue;
    }
    const int raw = fd.get();
    if (!watch(epoll_.get(), raw, EPOLLIN)) {
      ++counters_.failed;
      continue;
    }
    Client& c = clients_[raw];
    c.fd = std::move(fd);
    c.deadline_ms = now_ms + static_cast<std::uint64_t>(options_.request_timeout.count());
    c.accepted = ++accepted_so_far_;
    // lvsadm sends its line right after connect(): read it now, so that a real request is
    // answered (or at least complete) before the next connection could evict it.
    if (read_request(c, now_ms, respond)) close_client(raw);
  }
}

bool ControlServer::evict_oldest_reader() {
  int oldest = -1;
  std::uint64_t oldest_accepted = 0;
  for (const auto& [fd, c] : clients_) {
    if (c.writing) continue;
    if (oldest < 0 || c.accepted < oldest_accepted) {
      oldest = fd;
      oldest_accepted = c.accepted;
    }
  }
  if (oldest < 0) return false;
  ++counters_.evicted;
  const std::string why =
      ctl::encode_error_response("closed: " + std::to_string(options_.max_clients) +
                                 " clients connected and this one had not sent its request; retry");
  [[maybe_unused]] ssize_t n = ::send(oldest, why.data(), why.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  drain(oldest);
  close_client(oldest);
  return true;
}

bool ControlServer::read_request(Client& c, std::uint64_t now_ms, const Responder& respond) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;  // the rest comes later
      ++counters_.failed;
      return true;
    }
    if (n == 0) {  // EOF: the client shut down its side; a request without "\n" is still one
      if (c.request.empty()) return true;
      start_answer(c, respond(c.request), now_ms);
      return write_answer(c);
    }
    const std::size_t old = c.request.size();
    c.request.append(buf, static_cast<std::size_t>(n));
    if (const auto nl = c.request.find('\n', old); nl != std::string::npos) {
      c.request.resize(nl);
      if (!c.request.empty() && c.request.back() == '\r') c.request.pop_back();
      start_answer(c, respond(c.request), now_ms);
      return write_answer(c);
    }
    if (c.request.size() > ctl::kMaxRequestBytes) {
      ++counters_.oversized;
      start_answer(c,
                   ctl::encode_error_response("request longer than " +
                                              std::to_string(ctl::kMaxRequestBytes) + " bytes"),
                   now_ms);
      return write_answer(c);
    }
  }
}

void ControlServer::start_answer(Client& c, ctl::ControlAnswer answer, std::uint64_t now_ms) {
  c.request = std::string();
  c.response = std::move(answer.text);
  c.more = std::move(answer.more);
  c.sent = 0;
  c.writing = true;
  c.deadline_ms = now_ms + static_cast<std::uint64_t>(options_.response_timeout.count());
  drain(c.fd.get());
}

bool ControlServer::wait_writable(Client& c) {
  if (c.waiting_writable) return true;
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.fd = c.fd.get();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev) != 0) return false;
  c.waiting_writable = true;
  return true;
}

bool ControlServer::write_answer(Client& c) {
  int pieces = 0;
  for (;;) {
    while (c.sent < c.response.size()) {
      const ssize_t n = ::send(c.fd.get(), c.response.data() + c.sent, c.response.size() - c.sent,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        c.sent += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      // A full socket buffer: wait for room instead of input from now on.
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_writable(c)) return false;
      ++counters_.failed;
      return true;
    }
    if (!c.more) break;
    // The rest on a later call: the socket is writable, so the level-triggered loop comes back
    // after it has looked at the packet queue.
    if (pieces == kMaxPiecesPerWakeup) {
      if (wait_writable(c)) return false;
      ++counters_.failed;
      return true;
    }
    ++pieces;
    c.response.clear();
    c.sent = 0;
    if (!c.more(c.response)) c.more = nullptr;
  }
  ++counters_.answered;
  drain(c.fd.get());
  return true;
}

void ControlServer::close_client(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  clients_.erase(it);  // closes the socket
}

void ControlServer::expire(std::uint64_t now_ms) {
  std::vector<int> late;
  for (const auto& [fd, c] : clients_) {
    if (c.deadline_ms <= now_ms) late.push_back(fd);
  }
  for (int fd : late) {
    ++counters_.timed_out;
    close_client(fd);
  }
  if (listener_paused_ && watch(epoll_.get(), listener_.fd(), EPOLLIN)) listener_paused_ = false;
}

}  // namespace lvs::io
