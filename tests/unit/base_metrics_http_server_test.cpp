// base::MetricsHttpServer against real sockets: each test that listens first moves itself into a
// fresh network namespace (unshare(CLONE_NEWNET), loopback up), so its 127.0.0.1 is private and
// nothing here can collide with, or be reached from, the root namespace. Checks what a scrape
// returns (the last published families, Prometheus text, its Content-Type), that scrapes racing
// publishes always see one whole set, the one-line start-up errors, and that the port is closed
// when the server goes. Needs root for the namespace: skipped when unprivileged, except under
// CI=true.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <thread>

#include "base/metrics_http_server.h"
#include "base/unique_fd.h"
#include "support/root_or_skip.h"

namespace lvs::base {
namespace {

constexpr std::uint16_t kPort = 9469;
bool in_private_netns = false;

#define REQUIRE_ROOT_OR_SKIP() \
  LVS_REQUIRE_ROOT_OR_SKIP("CAP_SYS_ADMIN", "listens inside a private network namespace")

// A new, empty network namespace for this thread (and the server threads it starts), lo up.
void enter_fresh_netns() {
  ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
  base::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(fd.valid());
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  ASSERT_EQ(::ioctl(fd.get(), SIOCGIFFLAGS, &ifr), 0) << std::strerror(errno);
  ifr.ifr_flags |= IFF_UP;
  ASSERT_EQ(::ioctl(fd.get(), SIOCSIFFLAGS, &ifr), 0) << std::strerror(errno);
  in_private_netns = true;
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

// GET /metrics over a fresh connection; the whole response (headers and body), or "" if the
// connection failed. Only ever inside the private namespace.
std::string scrape(std::uint16_t port = kPort) {
  if (!in_private_netns) {
    ADD_FAILURE() << "refusing to connect outside a private network namespace";
    return {};
  }
  base::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_in sa = loopback(port);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) return {};
  const std::string request =
      "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return {};
  }
  std::string response;
  char buf[8192];
  for (;;) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    response.append(buf, static_cast<std::size_t>(n));
  }
  return response;
}

std::string body_of(const std::string& response) {
  const auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

base::MetricsHttpServer open_server(const std::string& listen) {
  auto opened = base::MetricsHttpServer::open(listen);
  if (auto* err = std::get_if<std::string>(&opened)) {
    ADD_FAILURE() << *err;
    std::abort();
  }
  return std::move(std::get<base::MetricsHttpServer>(opened));
}

std::string open_error(const std::string& listen) {
  auto opened = base::MetricsHttpServer::open(listen);
  auto* err = std::get_if<std::string>(&opened);
  return err == nullptr ? std::string("(opened)") : *err;
}

prometheus::MetricFamily counter(const std::string& name, int samples, double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = "test counter";
  f.type = prometheus::MetricType::Counter;
  for (int i = 0; i < samples; ++i) {
    prometheus::ClientMetric m;
    m.label = {{"n", std::to_string(i)}};
    m.counter.value = value;
    f.metric.push_back(m);
  }
  return f;
}

TEST(MetricsHttpServer, ServesTheLastPublishedFamiliesAsPrometheusText) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  base::MetricsHttpServer server = open_server("127.0.0.1:9469");
  EXPECT_EQ(server.address(), "127.0.0.1:9469");

  // Before the first publish: a valid, empty answer.
  std::string response = scrape();
  ASSERT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  EXPECT_EQ(body_of(response).find("lvs_"), std::string::npos);

  server.publish({counter("lvs_first_total", 1, 7)});
  response = scrape();
  ASSERT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  // prometheus-cpp 1.0 sends no version parameter; Prometheus reads text/plain as format 0.0.4.
  EXPECT_NE(response.find("\r\nContent-Type: text/plain"), std::string::npos) << response;
  const std::string body = body_of(response);
  EXPECT_NE(body.find("# TYPE lvs_first_total counter\n"), std::string::npos) << body;
  EXPECT_NE(body.find("lvs_first_total{n=\"0\"} 7\n"), std::string::npos) << body;

  // A publish replaces the whole set.
  server.publish({counter("lvs_second_total", 1, 8)});
  const std::string next = body_of(scrape());
  EXPECT_EQ(next.find("lvs_first_total"), std::string::npos) << next;
  EXPECT_NE(next.find("lvs_second_total{n=\"0\"} 8\n"), std::string::npos) << next;
}

TEST(MetricsHttpServer, ScrapesRacingPublishesAlwaysSeeOneWholeSet) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  base::MetricsHttpServer server = open_server("127.0.0.1:9469");
  server.publish({counter("lvs_race_total", 50, 0)});
  std::atomic<bool> stop = false;
  std::thread loop([&] {
    // The event loop's side: whole sets, every sample of a set carrying the set's number.
    for (int generation = 1; !stop; ++generation) {
      server.publish({counter("lvs_race_total", 50, generation)});
    }
  });
  int scrapes = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string body = body_of(scrape());
    std::set<std::string> values;
    int samples = 0;
    std::size_t pos = 0;
    while ((pos = body.find("lvs_race_total{", pos)) != std::string::npos) {
      const auto space = body.find(' ', pos);
      const auto eol = body.find('\n', pos);
      values.insert(body.substr(space + 1, eol - space - 1));
      ++samples;
      pos = eol;
    }
    EXPECT_EQ(samples, 50);
    EXPECT_EQ(values.size(), 1u) << "a scrape mixed two published sets";
    ++scrapes;
  }
  stop = true;
  loop.join();
  EXPECT_EQ(scrapes, 40);
}

TEST(MetricsHttpServer, PortInUseIsAOneLineErrorNamingTheAddress) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  base::UniqueFd holder(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_in sa = loopback(kPort);
  ASSERT_EQ(::bind(holder.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(::listen(holder.get(), 1), 0);

  const std::string err = open_error("127.0.0.1:9469");
  EXPECT_NE(err.find("metrics: cannot listen on 127.0.0.1:9469: Address already in use"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
}

TEST(MetricsHttpServer, AddressNotOnThisHostIsAnError) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  const std::string err = open_error("10.200.0.99:9469");
  EXPECT_NE(err.find("cannot listen on 10.200.0.99:9469: Cannot assign requested address"),
            std::string::npos)
      << err;
}

TEST(MetricsHttpServer, TheListeningSocketClosesWithTheServer) {
  REQUIRE_ROOT_OR_SKIP();
  enter_fresh_netns();
  {
    base::MetricsHttpServer server = open_server("127.0.0.1:9469");
    base::MetricsHttpServer moved = std::move(server);  // the daemon keeps it in a std::optional
    moved.publish({counter("lvs_moved_total", 1, 1)});
    EXPECT_NE(body_of(scrape()).find("lvs_moved_total"), std::string::npos);
  }
  EXPECT_EQ(scrape(), "");
  // And the port can be taken again at once (a restart of the daemon).
  base::MetricsHttpServer again = open_server("127.0.0.1:9469");
  EXPECT_TRUE(scrape().starts_with("HTTP/1.1 200"));
}

TEST(MetricsHttpServer, MalformedAddressesAreRefusedBeforeListening) {
  // No socket is opened for these: no namespace needed.
  for (const char* bad : {"localhost:9469", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", ""}) {
    const std::string err = open_error(bad);
    EXPECT_EQ(err, std::string("metrics: \"") + bad +
                       "\" is not IPV4:PORT (e.g. 127.0.0.1:9469); fix `metrics:`");
  }
}

}  // namespace
}  // namespace lvs::base
