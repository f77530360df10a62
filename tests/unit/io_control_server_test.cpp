// The director's control socket on real Unix stream sockets in a private temporary directory:
// the socket file's life (directory creation, mode, stale and live sockets, removal), a full
// exchange with lvsadm's own client, and the clients that must not stall the event loop (silent,
// partial, oversized, not reading a large answer, too many at once, gone before the answer).
// Everything runs in one thread: process() never blocks, so the test drives both ends.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "ctl/control_protocol.h"
#include "io/control_client.h"
#include "io/control_server.h"
#include "support/ctl_snapshots.h"
#include "support/snapshot_backend.h"
#include "support/unix_socket.h"

namespace lvs::io {
namespace {

using Clock = std::chrono::steady_clock;

ControlListener listen_at(const std::string& path) {
  auto l = ControlListener::open(path);
  if (auto* err = std::get_if<std::string>(&l)) {
    ADD_FAILURE() << *err;
    std::abort();
  }
  return std::move(std::get<ControlListener>(l));
}

ControlServer serve_at(const std::string& path, ControlServerOptions options = {}) {
  auto s = ControlServer::open(listen_at(path), options);
  if (auto* err = std::get_if<std::string>(&s)) {
    ADD_FAILURE() << *err;
    std::abort();
  }
  return std::move(std::get<ControlServer>(s));
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// A raw non-blocking client, so one thread can play both sides.
class RawClient {
 public:
  explicit RawClient(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_un addr = test::unix_address(path);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    ::fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~RawClient() { close(); }
  bool connected() const { return connected_; }
  void send(const std::string& text) {
    ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(text.size()));
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Reads what is there; returns false once the server closed (EOF or error).
  bool read_some(std::size_t max = 1 << 20) {
    char buf[65536];
    std::size_t got = 0;
    while (got < max) {
      const ssize_t n = ::recv(fd_, buf, std::min(sizeof buf, max - got), 0);
      if (n > 0) {
        text.append(buf, static_cast<std::size_t>(n));
        got += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EAGAIN) return true;
      if (n < 0) error = errno;
      return false;
    }
    return true;
  }

  std::string text;
  int error = 0;

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// The snapshot the daemon's responder answers from here.
ctl::Snapshot one_service() { return test::one_service_snapshot("wlc", 3); }

// The daemon's responder (ctl::answer_request()) with that snapshot behind it.
ctl::ControlAnswer answer_one_service(std::string_view request) {
  return ctl::ControlAnswer(test::serve(request, one_service()));
}

// What the daemon's loop does while the server's descriptor stays readable: a new client is
// accepted on one call and read on the next.
void pump(ControlServer& server, std::uint64_t now_ms, const ControlServer::Responder& respond) {
  for (int i = 0; i < 4; ++i) {
    pollfd p{server.fd(), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return;
    server.process(now_ms, respond);
  }
}

std::uint64_t ms_since(Clock::time_point t0) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

// --- the socket file -----------------------------------------------------------------------

TEST(ControlListener, CreatesMissingDirectoriesAndASocketWithMode0660) {
  test::TempDir dir("lvs-ctlsrv");
  const std::string path = dir.file("run/lvs/director.sock");
  {
    ControlListener l = listen_at(path);
    struct stat st {};
    ASSERT_EQ(::lstat(dir.file("run/lvs").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0755u);
    ASSERT_EQ(::lstat(dir.file("run").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);
    ASSERT_EQ(::lstat(path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0660u);
    EXPECT_EQ(::fcntl(l.fd(), F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  }
  EXPECT_FALSE(exists(path)) << "removed when the listener goes";
  EXPECT_TRUE(exists(dir.file("run/lvs"))) << "the directory stays";
}

TEST(ControlListener, ReplacesAStaleSocket) {
  test::TempDir dir("lvs-ctlsrv");
  const std::string path = dir.file("director.sock");
  ASSERT_NO_FATAL_FAILURE(test::leave_stale_socket(path));
  auto l = ControlListener::open(path);
  ASSERT_TRUE(std::holds_alternative<ControlListener>(l)) << std::get<std::string>(l);
  RawClient c(path);
  EXPECT_TRUE(c.connected());
}

TEST(ControlListener, RefusesWhenAnotherDirectorAnswers) {
  test::TempDir dir("lvs-ctlsrv");
  const std::string path = dir.file("director.sock");
  ControlListener first = listen_at(path);
  auto second = ControlListener::open(path);
  ASSERT_TRUE(std::holds_alternative<std::string>(second));
  EXPECT_EQ(std::get<std::string>(second),
            "control-socket " + path +
                ": another lvs-director is answering there; stop it, or give this one another "
                "control-socket");
  RawClient c(path);
  EXPECT_TRUE(c.connected()) << "the first one's socket is untouched";
}

TEST(ControlListener, RefusesAPathThatIsNotASocket) {
  test::TempDir dir("lvs-ctlsrv");
  const std::string path = dir.file("director.sock");
  std::ofstream(path) << "precious";
  auto l = ControlListener::open(path);
  ASSERT_TRUE(std::holds_alternative<std::string>(l));
  EXPECT_EQ(std::get<std::string>(l),
            "control-socket " + path +
                ": exists and is not a socket; remove it or choose another control-socket");
  EXPECT_TRUE(exists(path));
  const std::string under_file = path + "/x.sock";
  auto bad_dir = ControlListener::open(under_file);
  ASSERT_TRUE(std::holds_alternative<std::string>(bad_dir));
  EXPECT_NE(std::get<std::string>(bad_dir).find("exists and is not a directory"),
            std::string::npos);
}

TEST(ControlListener, LeavesAFileThatIsNoLongerItsOwn) {
  test::TempDir dir("lvs-ctlsrv");
  const std::string path = dir.file("director.sock");
  std::optional<ControlListener> old(listen_at(path));
  ASSERT_EQ(::unlink(path.c_str()), 0);  // someone removed it and started another director
  ControlListener other = listen_at(path);
  old.reset();
  EXPECT_TRUE(exists(path));
  RawClient c(path);
  EXPECT_TRUE(c.connected());
}

// --- serving ---------------------------------------------------------------------------------

// Each test's own directory, the socket path in it and the server listening there.
class ControlServerTest : public ::testing::Test {
 protected:
  ControlServer& serve(ControlServerOptions options = {}) {
    server_.emplace(serve_at(path, options));
    return *server_;
  }

  test::TempDir dir{"lvs-ctlsrv"};
  const std::string path = dir.file("director.sock");

 private:
  std::optional<ControlServer> server_;
};

TEST_F(ControlServerTest, AnswersLvsadmsClient) {
  ControlServer& server = serve();
  const ctl::Snapshot snap = one_service();
  std::string seen;
  std::atomic<bool> done{false};
  std::variant<ctl::Snapshot, ctl::ClientError> got = ctl::ClientError{"not run"};
  std::thread client([&] {
    got = ctl::fetch_snapshot(path, ctl::Command::list);
    done = true;
  });
  const auto t0 = Clock::now();
  while (!done && ms_since(t0) < 5000) {
    pollfd p{server.fd(), POLLIN, 0};
    ::poll(&p, 1, 10);
    server.process(ms_since(t0), [&](std::string_view request) {
      seen = request;
      return ctl::ControlAnswer(test::serve(request, snap));
    });
  }
  client.join();
  ASSERT_TRUE(std::holds_alternative<ctl::Snapshot>(got))
      << std::get<ctl::ClientError>(got).message;
  EXPECT_EQ(std::get<ctl::Snapshot>(got), snap);
  EXPECT_EQ(seen, "LVSCTL/1 LIST") << "the line, without its newline";
  EXPECT_EQ(server.counters().answered, 1u);
  EXPECT_EQ(server.clients(), 0u);
}

TEST_F(ControlServerTest, AnswersOnTheNewlineWithoutWaitingForEof) {
  ControlServer& server = serve();
  RawClient c(path);
  c.send("LVSCTL/1 LI");
  server.process(0, answer_one_service);
  EXPECT_EQ(server.clients(), 1u);
  c.read_some();
  EXPECT_EQ(c.text, "") << "no answer to half a line";
  c.send("ST\r\n");
  server.process(10, answer_one_service);
  EXPECT_EQ(server.clients(), 0u);
  EXPECT_FALSE(c.read_some()) << "closed after the answer";
  EXPECT_EQ(c.error, 0) << "a clean EOF, not a reset";
  EXPECT_TRUE(c.text.starts_with("LVSCTL/1 OK ")) << c.text;
}

TEST_F(ControlServerTest, ARequestEndedByEofIsAnswered) {
  ControlServer& server = serve();
  RawClient c(path);
  c.send("LVSCTL/1 LIST");
  c.shutdown_write();
  pump(server, 0, answer_one_service);
  EXPECT_FALSE(c.read_some());
  EXPECT_TRUE(c.text.starts_with("LVSCTL/1 OK ")) << c.text;
}

TEST_F(ControlServerTest, BadRequestGetsTheProtocolsError) {
  ControlServer& server = serve();
  RawClient c(path);
  c.send("HELLO\n");
  pump(server, 0, answer_one_service);
  EXPECT_FALSE(c.read_some());
  EXPECT_TRUE(c.text.starts_with("LVSCTL/1 ERROR ")) << c.text;
}

TEST_F(ControlServerTest, SilentClientIsClosedAfterTheRequestTimeout) {
  ControlServer& server = serve();
  RawClient c(path);
  int calls = 0;
  server.process(1000, [&](std::string_view) {
    ++calls;
    return std::string();
  });
  EXPECT_EQ(server.clients(), 1u);
  server.expire(1999);
  EXPECT_EQ(server.clients(), 1u);
  server.expire(2000);
  EXPECT_EQ(server.clients(), 0u);
  EXPECT_EQ(server.counters().timed_out, 1u);
  EXPECT_FALSE(c.read_some());
  EXPECT_EQ(c.text, "");
  EXPECT_EQ(calls, 0);
}

TEST_F(ControlServerTest, OversizedRequestIsRefused) {
  ControlServer& server = serve();
  RawClient c(path);
  c.send(std::string(ctl::kMaxRequestBytes + 1, 'x'));
  int calls = 0;
  pump(server, 0, [&](std::string_view) {
    ++calls;
    return std::string();
  });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(server.counters().oversized, 1u);
  c.read_some();
  EXPECT_EQ(c.text, "LVSCTL/1 ERROR request longer than 4096 bytes\n");
}

TEST_F(ControlServerTest, LargeAnswerToASlowReaderNeverBlocks) {
  ControlServer& server = serve();
  const std::string big(8u << 20, 'z');  // ~ -Lnc of 100k connections
  RawClient c(path);
  c.send("LVSCTL/1 LIST-CONNECTIONS\n");
  std::uint64_t slowest_us = 0;
  int rounds = 0;
  bool open = true;
  while (open && rounds < 100000) {
    const auto t0 = Clock::now();
    server.process(0, [&](std::string_view) { return big; });
    slowest_us = std::max<std::uint64_t>(
        slowest_us,
        static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count()));
    if (rounds == 1) {
      EXPECT_EQ(server.clients(), 1u) << "still writing: the socket is full";
    }
    open = c.read_some(64 * 1024);  // a slow reader: 64 KiB per round
    ++rounds;
  }
  EXPECT_EQ(c.text.size(), big.size());
  EXPECT_EQ(c.text, big);
  EXPECT_EQ(server.clients(), 0u);
  EXPECT_EQ(server.counters().answered, 1u);
  // Each call writes at most what the socket buffer takes (copying the 8 MB answer is the
  // responder's cost, paid once before the first write).
  EXPECT_LT(slowest_us, 200'000u);
  RecordProperty("slowest_process_us", static_cast<int>(slowest_us));
}

TEST_F(ControlServerTest, APiecewiseAnswerIsProducedAsTheClientReads) {
  ControlServer& server = serve();
  RawClient c(path);
  c.send("LVSCTL/1 LIST-CONNECTIONS\n");
  constexpr int kPieces = 200;
  const std::string piece(100 * 1024, 'p');  // 20 MB in all: far more than a socket buffer
  int produced = 0;
  auto respond = [&](std::string_view) {
    ctl::ControlAnswer a("head\n");
    a.more = [&](std::string& out) {
      out += piece;
      return ++produced < kPieces;
    };
    return a;
  };
  int calls = 0;
  bool open = true;
  while (open && calls < 100000) {
    const int before = produced;
    server.process(0, respond);
    ++calls;
    EXPECT_LE(produced - before, ControlServer::kMaxPiecesPerWakeup) << "bounded per wakeup";
    open = c.read_some(256 * 1024);
  }
  EXPECT_EQ(produced, kPieces);
  EXPECT_GE(calls, kPieces / ControlServer::kMaxPiecesPerWakeup);
  ASSERT_EQ(c.text.size(), 5 + piece.size() * kPieces);
  EXPECT_TRUE(c.text.starts_with("head\npppp"));
  EXPECT_EQ(server.counters().answered, 1u);
  EXPECT_EQ(server.clients(), 0u);
}

TEST_F(ControlServerTest, ClientThatStopsReadingIsDroppedAfterTheResponseTimeout) {
  ControlServer& server = serve();
  RawClient c(path);
  c.send("LVSCTL/1 LIST\n");
  pump(server, 100, [](std::string_view) { return std::string(32u << 20, 'z'); });
  ASSERT_EQ(server.clients(), 1u);
  server.expire(100 + 4999);
  EXPECT_EQ(server.clients(), 1u);
  server.expire(100 + 5000);
  EXPECT_EQ(server.clients(), 0u);
  EXPECT_EQ(server.counters().timed_out, 1u);
}

TEST_F(ControlServerTest, ClientGoneBeforeTheAnswerIsNoProblem) {
  ControlServer& server = serve();
  {
    RawClient c(path);
    c.send("LVSCTL/1 LIST\n");
  }  // closed
  pump(server, 0, [](std::string_view) { return std::string(4u << 20, 'z'); });
  EXPECT_EQ(server.clients(), 0u);
  EXPECT_EQ(server.counters().answered, 0u);
  EXPECT_EQ(server.counters().failed, 1u);
}

TEST_F(ControlServerTest, ClientsBeingAnsweredAreNeverEvictedANewcomerIsTurnedAway) {
  ControlServerOptions options;
  options.max_clients = 2;
  ControlServer& server = serve(options);
  // Two real requests whose (large) answers the clients do not read: both stay "writing".
  RawClient a(path), b(path);
  a.send("LVSCTL/1 LIST\n");
  b.send("LVSCTL/1 LIST\n");
  auto big = [](std::string_view) { return std::string(32u << 20, 'z'); };
  pump(server, 0, big);
  ASSERT_EQ(server.clients(), 2u);
  RawClient c(path);
  server.process(0, big);
  EXPECT_EQ(server.clients(), 2u);
  EXPECT_EQ(server.counters().busy, 1u);
  EXPECT_EQ(server.counters().evicted, 0u);
  EXPECT_FALSE(c.read_some());
  EXPECT_EQ(c.text, "LVSCTL/1 ERROR busy: 2 lvsadm requests in progress; retry\n");
}

TEST_F(ControlServerTest, WhenFullTheOldestIdleClientMakesRoom) {
  ControlServerOptions options;
  options.max_clients = 3;
  ControlServer& server = serve(options);
  RawClient oldest(path);
  server.process(0, answer_one_service);
  RawClient partial(path);
  partial.send("LVSCTL/1 LI");  // half a request: still "sending", evictable too
  server.process(0, answer_one_service);
  RawClient newer(path);
  server.process(0, answer_one_service);
  ASSERT_EQ(server.clients(), 3u);
  RawClient fresh(path);
  fresh.send("LVSCTL/1 LIST\n");
  server.process(0, answer_one_service);
  EXPECT_EQ(server.counters().evicted, 1u);
  EXPECT_EQ(server.counters().busy, 0u);
  EXPECT_FALSE(oldest.read_some()) << "the oldest idle client is closed";
  EXPECT_EQ(oldest.text,
            "LVSCTL/1 ERROR closed: 3 clients connected and this one had not sent its request; "
            "retry\n");
  EXPECT_FALSE(fresh.read_some()) << "answered and closed";
  EXPECT_TRUE(fresh.text.starts_with("LVSCTL/1 OK ")) << fresh.text;
  EXPECT_TRUE(partial.read_some()) << "younger clients keep their place";
  EXPECT_EQ(server.clients(), 2u);
  // The next newcomer evicts the next oldest: the half-sent request.
  RawClient next(path);
  RawClient last(path);
  server.process(0, answer_one_service);
  server.process(0, answer_one_service);
  EXPECT_FALSE(partial.read_some());
  EXPECT_TRUE(partial.text.starts_with("LVSCTL/1 ERROR closed: ")) << partial.text;
  EXPECT_TRUE(newer.read_some());
}

// Finding 9 of issue 12: idle connections must not lock lvsadm out. max_clients idle clients
// are held open (each one evicted to make room is reconnected before the next lvsadm command, as
// an attacker keeping the server full would), and every lvsadm command run with lvsadm's own
// client is answered. On the old server every one of them got "busy".
TEST_F(ControlServerTest, IdleClientsHeldOpenNeverLockLvsadmOut) {
  ControlServer& server = serve();  // the daemon's defaults: 16 clients, 1 s, 5 s
  const std::size_t kIdle = ControlServerOptions{}.max_clients;
  std::vector<std::unique_ptr<RawClient>> idle;
  const auto t0 = Clock::now();
  std::size_t reconnected = 0;
  auto refill = [&] {
    for (auto& c : idle) {
      if (!c->read_some()) {  // evicted: come back at once
        c = std::make_unique<RawClient>(path);
        ++reconnected;
      }
    }
    while (idle.size() < kIdle) idle.push_back(std::make_unique<RawClient>(path));
    pump(server, ms_since(t0), answer_one_service);
  };
  refill();
  ASSERT_EQ(server.clients(), kIdle);
  constexpr int kRequests = 20;
  int answered = 0;
  std::vector<std::string> errors;
  for (int i = 0; i < kRequests; ++i) {
    std::atomic<bool> done{false};
    std::variant<ctl::Snapshot, ctl::ClientError> got = ctl::ClientError{"not run"};
    std::thread client([&] {
      got = ctl::fetch_snapshot(path, ctl::Command::list);
      done = true;
    });
    while (!done && ms_since(t0) < 20000) {
      pollfd p{server.fd(), POLLIN, 0};
      ::poll(&p, 1, 5);
      server.process(ms_since(t0), answer_one_service);
    }
    client.join();
    if (std::holds_alternative<ctl::Snapshot>(got)) {
      ++answered;
    } else {
      errors.push_back(std::get<ctl::ClientError>(got).message);
    }
    refill();
    EXPECT_EQ(server.clients(), kIdle) << "the idle clients are held open again";
  }
  EXPECT_EQ(answered, kRequests) << (errors.empty() ? "" : errors.front());
  EXPECT_EQ(server.counters().busy, 0u);
  EXPECT_EQ(server.counters().evicted, static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(reconnected, static_cast<std::size_t>(kRequests));
}

TEST_F(ControlServerTest, ReplacedListenerServesTheNewPathAndRemovesTheOld) {
  const std::string old_path = dir.file("old.sock");
  const std::string new_path = dir.file("new/director.sock");
  ControlServer server = serve_at(old_path);
  RawClient waiting(old_path);
  server.process(0, [](std::string_view) { return std::string(); });
  ASSERT_EQ(server.clients(), 1u);
  {
    ControlListener next = listen_at(new_path);
    ASSERT_EQ(server.replace_listener(next), "");
    EXPECT_EQ(next.path(), old_path);
  }
  EXPECT_FALSE(exists(old_path));
  EXPECT_EQ(server.path(), new_path);
  // The client connected before the switch is still answered.
  waiting.send("LVSCTL/1 LIST\n");
  RawClient fresh(new_path);
  ASSERT_TRUE(fresh.connected());
  fresh.send("LVSCTL/1 LIST\n");
  for (int i = 0; i < 3; ++i) {
    server.process(0, answer_one_service);
  }
  waiting.read_some();
  fresh.read_some();
  EXPECT_TRUE(waiting.text.starts_with("LVSCTL/1 OK ")) << waiting.text;
  EXPECT_TRUE(fresh.text.starts_with("LVSCTL/1 OK ")) << fresh.text;
}

}  // namespace
}  // namespace lvs::io
