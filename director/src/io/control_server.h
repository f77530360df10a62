// The director's side of the control socket (ctl/control_protocol.h): a Unix stream socket that
// lvsadm connects to, served from the daemon's single-threaded event loop without ever blocking
// it. Each client gets per-connection state in a private epoll set, whose one descriptor the
// daemon's loop watches:
//
//   accept (non-blocking) → read what has arrived, until "\n" or EOF (at most
//   ctl::kMaxRequestBytes; a longer request gets an ERROR answer) → the responder builds the
//   answer → write what the socket takes, the rest when it is writable again → close.
//
// A client has request_timeout (1 s) to send its line and response_timeout (5 s, lvsadm's own
// limit) to take the answer; expire() closes the late ones, so a silent or stuck client costs a
// descriptor and its buffer for that long, never the loop's time. A large answer (-Lnc with 100k
// connections, ~7 MB) comes as a ctl::ControlAnswer with a `more` producer: the server asks for the
// next piece only when the socket has taken the previous one, and at most
// kMaxPiecesPerWakeup pieces per process() call, so encoding it is spread over loop iterations
// too.
//
// At most max_clients are connected at once. Idle clients must not lock lvsadm out, so a full
// server makes room rather than refusing (the policy of nginx's and OpenSSH's pre-auth limits,
// where the slot held longest by a connection that has not said anything useful is the one
// given up):
//   - a client is read as soon as it is accepted, so lvsadm, which sends its line right after
//     connect(), is normally answered in the same process() call and never sits idle;
//   - when a new client arrives and max_clients are connected, the client connected longest
//     among those that have not finished sending their request is closed (with an ERROR line
//     saying why; counter `evicted`) and the new one takes its place. An attacker holding
//     max_clients idle connections only ever evicts its own oldest connection;
//   - clients whose request is complete (being answered) are never evicted: they are real
//     requests with a deadline. Only when all max_clients are being answered does a new client
//     get an ERROR "busy" line (counter `busy`).
//
// The socket file (ControlListener):
//   - its directory is created if missing (mode 0755, parents too);
//   - a socket file nobody answers on (left by a killed director) is replaced; a live one — another
//     director answering there — is a start-up error, as is a path that exists but is not a socket;
//   - mode 0660 (root and the socket's group may run lvsadm);
//   - removed when the listener is destroyed (clean exit), unless the file at the path is no
//     longer the one it created.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>

#include "base/unique_fd.h"
#include "ctl/control_answer.h"

namespace lvs::io {

class ControlListener {
 public:
  // Binds and listens at `path` (non-blocking, close-on-exec). Errors are one line naming the
  // path, what failed and what to do.
  static std::variant<ControlListener, std::string> open(const std::string& path);

  ControlListener(ControlListener&& other) noexcept;
  ControlListener& operator=(ControlListener&& other) noexcept;
  ControlListener(const ControlListener&) = delete;
  ControlListener& operator=(const ControlListener&) = delete;
  ~ControlListener();

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

 private:
  ControlListener(base::UniqueFd fd, std::string path, dev_t dev, ino_t ino)
      : fd_(std::move(fd)), path_(std::move(path)), dev_(dev), ino_(ino) {}
  void remove_file();

  base::UniqueFd fd_;
  std::string path_;
  dev_t dev_ = 0;  // identity of the socket file we bound, so we never unlink someone else's
  ino_t ino_ = 0;
};

struct ControlServerOptions {
  std::chrono::milliseconds request_timeout{1000};
  std::chrono::milliseconds response_timeout{5000};
  std::size_t max_clients = 16;
};

struct ControlServerCounters {
  std::uint64_t answered = 0;   // requests answered (OK or ERROR from the responder)
  std::uint64_t oversized = 0;  // requests longer than ctl::kMaxRequestBytes
  std::uint64_t timed_out = 0;  // clients closed by expire() (silent, or not reading)
  std::uint64_t busy = 0;       // clients turned away: max_clients already being answered
  std::uint64_t evicted = 0;    // clients closed before finishing their request, to make room
  std::uint64_t failed = 0;     // clients lost to a socket error (reset, hung up early)
};

class ControlServer {
 public:
  // Pieces of a ctl::ControlAnswer produced per process() call and client.
  static constexpr int kMaxPiecesPerWakeup = 2;

  // Builds the answer to one request line (without its "\n"): ctl::answer_request() with the
  // daemon's backend.
  using Responder = std::function<ctl::ControlAnswer(std::string_view request)>;

  static std::variant<ControlServer, std::string> open(ControlListener listener,
                                                       ControlServerOptions options = {});

  // The private epoll set: readable when the listener or a client needs attention. Register it in
  // the daemon's loop and call process() when it is.
  int fd() const { return epoll_.get(); }
  const std::string& path() const { return listener_.path(); }

  // Handles what is ready now (accepts, reads, answers, writes), without waiting.
  void process(std::uint64_t now_ms, const Responder& respond);
  // Closes clients past their deadline. Call from the periodic tick.
  void expire(std::uint64_t now_ms);

  // Serves from `next` from now on (a reload that moved `control-socket`): on success (empty
  // string) the two are swapped, so `next` holds the old listener and destroying it removes the
  // old file. Clients already connected are still answered.
  std::string replace_listener(ControlListener& next);

  std::size_t clients() const { return clients_.size(); }
  const ControlServerCounters& counters() const { return counters_; }

 private:
  struct Client {
    base::UniqueFd fd;
    std::string request;
    std::string response;  // the piece being sent
    std::size_t sent = 0;
    std::function<bool(std::string&)> more;  // the rest of the answer, if any
    bool writing = false;
    bool waiting_writable = false;  // registered for EPOLLOUT instead of EPOLLIN
    std::uint64_t deadline_ms = 0;
    std::uint64_t accepted = 0;  // order of acceptance (accepted_so_far_), for eviction
  };

  ControlServer(base::UniqueFd epoll, ControlListener listener, ControlServerOptions options)
      : epoll_(std::move(epoll)), listener_(std::move(listener)), options_(options) {}
  void accept_clients(std::uint64_t now_ms, const Responder& respond);
  // Closes the client connected longest among those still sending their request, telling it
  // why; false when every client is being answered.
  bool evict_oldest_reader();
  // Reads what has arrived; true when the client is finished (answered or failed).
  bool read_request(Client& c, std::uint64_t now_ms, const Responder& respond);
  void start_answer(Client& c, ctl::ControlAnswer answer, std::uint64_t now_ms);
  // Writes what the socket takes; true when the client is finished (answered or failed).
  bool write_answer(Client& c);
  // Watches `c` for room to write; false if epoll refused.
  bool wait_writable(Client& c);
  void close_client(int fd);

  base::UniqueFd epoll_;
  ControlListener listener_;
  ControlServerOptions options_;
  std::unordered_map<int, Client> clients_;  // by socket descriptor (the epoll data)
  ControlServerCounters counters_;
  std::uint64_t accepted_so_far_ = 0;
  bool listener_paused_ = false;  // out of descriptors: not watched until the next expire()
};

}  // namespace lvs::io
