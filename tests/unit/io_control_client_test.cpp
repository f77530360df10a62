// The blocking control client against real Unix stream sockets in a private temporary directory:
// a full exchange with a server that answers as ctl::answer_request() does, and every failure a
// user can meet (no daemon, silent daemon, hung daemon, impossible path) as an error value with its
// message.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>

#include "io/control_client.h"
#include "support/ctl_snapshots.h"
#include "support/snapshot_backend.h"
#include "support/unix_socket.h"

namespace lvs::ctl {
namespace {

// A one-shot server: accepts one connection and hands it to `serve`.
class OneShotServer {
 public:
  OneShotServer(const std::string& path, std::function<void(int)> serve) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_un addr = test::unix_address(path);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 1), 0);
    thread_ = std::thread([this, serve] {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd >= 0) {
        serve(fd);
        ::close(fd);
      }
    });
  }
  ~OneShotServer() {
    thread_.join();
    ::close(listen_fd_);
  }

 private:
  int listen_fd_ = -1;
  std::thread thread_;
};

std::string read_request(int fd) {
  std::string request;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) request.append(buf, static_cast<std::size_t>(n));
  return request;
}

void write_all(int fd, const std::string& text) {
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

// The error the client reported; a test failure if it had an answer instead.
template <class Answer>
std::string error_of(const std::variant<Answer, ClientError>& got) {
  if (const auto* e = std::get_if<ClientError>(&got)) return e->message;
  ADD_FAILURE() << "expected an error, got an answer";
  return {};
}

TEST(ControlClient, FetchesASnapshotFromAServerRunningHandleRequest) {
  test::TempDir dir("lvs-ctl");
  const std::string path = dir.file("director.sock");
  std::string seen_request;
  Snapshot served = test::one_service_snapshot("rr");
  {
    OneShotServer server(path, [&](int fd) {
      seen_request = read_request(fd);  // the client half-closes after its request
      write_all(fd, test::serve(seen_request, served));
    });
    auto got = fetch_snapshot(path, Command::list);
    ASSERT_TRUE(std::holds_alternative<Snapshot>(got)) << std::get<ClientError>(got).message;
    EXPECT_EQ(std::get<Snapshot>(got), served);
  }
  EXPECT_EQ(seen_request, "LVSCTL/1 LIST\n");
}

TEST(ControlClient, LargeAnswersArriveWhole) {
  test::TempDir dir("lvs-ctl");
  const std::string path = dir.file("director.sock");
  Snapshot served;
  for (int i = 0; i < 50000; ++i) {
    served.connections.push_back({ConnProtocol::tcp,
                                  {0x0a000000u + static_cast<std::uint32_t>(i), 1000},
                                  *parse_endpoint("10.200.0.100:80"),
                                  *parse_endpoint("10.200.0.11:80"),
                                  "ESTABLISHED",
                                  1000});
  }
  OneShotServer server(path, [&](int fd) { write_all(fd, test::serve(read_request(fd), served)); });
  auto got = fetch_snapshot(path, Command::list_connections);
  ASSERT_TRUE(std::holds_alternative<Snapshot>(got)) << std::get<ClientError>(got).message;
  EXPECT_EQ(std::get<Snapshot>(got).connections, served.connections);
}

TEST(ControlClient, NoDaemonSaysSoAndWhere) {
  test::TempDir dir("lvs-ctl");
  const std::string path = dir.file("missing.sock");
  auto got = fetch_snapshot(path, Command::list);
  EXPECT_EQ(error_of(got),
            "cannot connect to " + path + ": No such file or directory (is lvs-director running?)");
}

TEST(ControlClient, StaleSocketFileIsConnectionRefused) {
  test::TempDir dir("lvs-ctl");
  const std::string path = dir.file("stale.sock");
  ASSERT_NO_FATAL_FAILURE(test::leave_stale_socket(path));  // what a crashed daemon leaves
  auto got = send_request(path, "LVSCTL/1 LIST\n");
  EXPECT_EQ(error_of(got),
            "cannot connect to " + path + ": Connection refused (is lvs-director running?)");
}

TEST(ControlClient, DirectorThatClosesWithoutAnswering) {
  test::TempDir dir("lvs-ctl");
  const std::string path = dir.file("director.sock");
  OneShotServer server(path, [](int fd) { (void)read_request(fd); });
  auto got = fetch_snapshot(path, Command::list);
  EXPECT_EQ(error_of(got),
            "bad answer from " + path +
                ": empty response (the director closed the connection without answering)");
}

TEST(ControlClient, DirectorErrorIsPassedThrough) {
  test::TempDir dir("lvs-ctl");
  const std::string path = dir.file("director.sock");
  OneShotServer server(path, [](int fd) {
    (void)read_request(fd);
    write_all(fd, encode_error_response("reloading, try again"));
  });
  auto got = fetch_snapshot(path, Command::list);
  EXPECT_EQ(error_of(got), "lvs-director: reloading, try again");
}

TEST(ControlClient, HungDirectorTimesOut) {
  test::TempDir dir("lvs-ctl");
  const std::string path = dir.file("director.sock");
  OneShotServer server(path, [](int fd) {
    (void)read_request(fd);
    ::usleep(600 * 1000);  // answers after the client gave up
  });
  auto got = send_request(path, "LVSCTL/1 LIST\n", std::chrono::milliseconds(150));
  EXPECT_EQ(error_of(got),
            "no complete answer from " + path + " within 150 ms: Connection timed out");
}

TEST(ControlClient, ImpossiblePaths) {
  auto empty = send_request("", "x");
  EXPECT_EQ(error_of(empty), "control socket path '' is empty");
  const std::string long_path = "/tmp/" + std::string(200, 'x');
  auto too_long = send_request(long_path, "x");
  EXPECT_EQ(error_of(too_long), "control socket path '" + long_path +
                                    "' is too long for a Unix socket (max 107 bytes)");
}

// A server that answers its first `refusals` connections as a full director does (without
// reading the request) and then serves normally; it counts the connections it saw.
class RefusingServer {
 public:
  RefusingServer(const std::string& path, int refusals, std::string refusal)
      : refusals_(refusals), refusal_(std::move(refusal)) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_un addr = test::unix_address(path);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_fd_, 8), 0);
    thread_ = std::thread([this] {
      for (;;) {
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) return;
        const int n = ++connections_;
        if (n <= refusals_) {
          // A full director answers busy/closed without reading the request (the client then
          // sees its answer or a reset); any other error comes after the request was read.
          if (refusal_.find("busy:") == std::string::npos &&
              refusal_.find("closed:") == std::string::npos) {
            read_request(fd);
          }
          write_all(fd, refusal_);
          ::close(fd);
          continue;
        }
        seen_request_ = read_request(fd);
        write_all(fd, test::serve(seen_request_, test::one_service_snapshot("rr")));
        ::close(fd);
        return;
      }
    });
  }
  ~RefusingServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }
  int connections() const { return connections_; }

 private:
  int refusals_;
  std::string refusal_;
  int listen_fd_ = -1;
  std::atomic<int> connections_{0};
  std::string seen_request_;
  std::thread thread_;
};

// A director whose slots idle clients hold evicts the oldest client still sending, or says busy
// when every slot is being answered (io/control_server.h); neither read the request, so the
// client tries again (a few times, within its timeout).
TEST(ControlClient, RequestTurnedAwayUnreadIsRetried) {
  for (const std::string reason : {"closed: 16 clients; the oldest still sending makes room; retry",
                                   "busy: 16 lvsadm requests in progress; retry"}) {
    test::TempDir dir("lvs-ctl");
    const std::string path = dir.file("director.sock");
    RefusingServer server(path, 2, encode_error_response(reason));
    auto got = fetch_snapshot(path, Command::list);
    ASSERT_TRUE(std::holds_alternative<Snapshot>(got)) << reason << ": " << error_of(got);
    EXPECT_EQ(server.connections(), 3) << reason;
  }
}

TEST(ControlClient, RetriesAreBoundedAndTheLastRefusalIsReported) {
  test::TempDir dir("lvs-ctl");
  const std::string path = dir.file("director.sock");
  RefusingServer server(path, 1000, encode_error_response("busy: 16 lvsadm requests; retry"));
  auto got = fetch_snapshot(path, Command::list);
  const std::string error = error_of(got);
  EXPECT_TRUE(error.find("busy: 16 lvsadm requests; retry") != std::string::npos ||
              error.find("turned the request away 4 times unread") != std::string::npos)
      << error;
  EXPECT_EQ(server.connections(), 4);
}

TEST(ControlClient, OtherDirectorErrorsAreNotRetried) {
  test::TempDir dir("lvs-ctl");
  const std::string path = dir.file("director.sock");
  RefusingServer server(path, 1000, encode_error_response("no such service"));
  auto got = fetch_snapshot(path, Command::list);
  EXPECT_NE(error_of(got).find("no such service"), std::string::npos);
  EXPECT_EQ(server.connections(), 1);
}

}  // namespace
}  // namespace lvs::ctl
