#include "io/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>

#include "config/net_address.h"
#include "io/prometheus_families.h"
#include "io/unique_fd.h"

namespace lvs::io {


namespace {

// Civetweb reports a failed bind only as "possible problem binding to port"; redo the bind
// ourselves to name the reason (in use, not a local address, ...).
std::string bind_failure_reason(const Endpoint& ep) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return std::strerror(errno);
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as civetweb does
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(ep.port);
  sa.sin_addr.s_addr = htonl(ep.addr);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 ||
      ::listen(fd.get(), 1) != 0) {
    return std::strerror(errno);
  }
  return "the HTTP server could not start";
}

}  // namespace

MetricsServer::MetricsServer(std::string address, std::shared_ptr<prom::PublishedFamilies> published,
                             std::unique_ptr<prometheus::Exposer> exposer)
    : address_(std::move(address)),
      published_(std::move(published)),
      exposer_(std::move(exposer)) {}

MetricsServer::MetricsServer(MetricsServer&&) noexcept = default;
MetricsServer& MetricsServer::operator=(MetricsServer&&) noexcept = default;
MetricsServer::~MetricsServer() = default;

std::variant<MetricsServer, std::string> MetricsServer::open(const std::string& listen) {
  const auto ep = parse_endpoint(listen);
  if (!ep || ep->port == 0) {
    return "metrics: \"" + listen + "\" is not IPV4:PORT (e.g. 127.0.0.1:9469); fix `metrics:`";
  }
  auto published = std::make_shared<prom::PublishedFamilies>();
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // Two threads: a scrape is a copy and a serialization, and Prometheus scrapes one at a time.
    exposer = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", format_endpoint(*ep), "num_threads", "2"});
  } catch (const std::exception&) {
    return "metrics: cannot listen on " + format_endpoint(*ep) + ": " + bind_failure_reason(*ep) +
           "; choose a free local address for `metrics:`";
  }
  exposer->RegisterCollectable(published);
  return MetricsServer(format_endpoint(*ep), std::move(published), std::move(exposer));
}

void MetricsServer::publish(std::vector<prometheus::MetricFamily> families) {
  published_->replace(families);
  // `families` now holds the previous set; it is freed here, outside the lock.
}

}  // namespace lvs::io
