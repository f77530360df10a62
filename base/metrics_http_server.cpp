#include "base/metrics_http_server.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>

#include "base/prometheus_families.h"
#include "base/unique_fd.h"
#include "config/net_address.h"

namespace lvs::base {

namespace {

// The /healthz answer (see the header for why it is process-wide). Until the first publish the
// daemon has verified nothing: 503.
struct HealthSlot {
  std::mutex mutex;
  bool healthy = false;
  std::string body = "starting\n";
};
HealthSlot& health_slot() {
  static HealthSlot slot;
  return slot;
}
std::atomic<bool> g_healthz_open{false};

int answer_healthz(mg_connection* conn) {
  const mg_request_info* req = mg_get_request_info(conn);
  if (req == nullptr || req->local_uri == nullptr || std::strcmp(req->local_uri, "/healthz") != 0) {
    return 0;  // not ours: the Exposer's handlers (/metrics) or civetweb's 404
  }
  bool healthy;
  std::string body;
  {
    auto& slot = health_slot();
    std::lock_guard lock(slot.mutex);
    healthy = slot.healthy;
    body = slot.body;
  }
  const int status = healthy ? 200 : 503;
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: %zu\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
            status, healthy ? "OK" : "Service Unavailable", body.size());
  if (std::strcmp(req->request_method, "HEAD") != 0) mg_write(conn, body.data(), body.size());
  return status;
}

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

MetricsHttpServer::MetricsHttpServer(std::string address, bool healthz,
                                     std::shared_ptr<prom::PublishedFamilies> published,
                                     std::unique_ptr<prometheus::Exposer> exposer)
    : address_(std::move(address)),
      healthz_(healthz),
      published_(std::move(published)),
      exposer_(std::move(exposer)) {}

MetricsHttpServer::MetricsHttpServer(MetricsHttpServer&&) noexcept = default;
MetricsHttpServer& MetricsHttpServer::operator=(MetricsHttpServer&&) noexcept = default;
MetricsHttpServer::~MetricsHttpServer() {
  if (exposer_) {
    exposer_.reset();
    if (healthz_) g_healthz_open = false;
  }
}

std::variant<MetricsHttpServer, std::string> MetricsHttpServer::open(const std::string& listen,
                                                                     MetricsHttpOptions options) {
  const auto ep = parse_endpoint(listen);
  if (!ep || ep->port == 0) {
    return "metrics: \"" + listen + "\" is not IPV4:PORT (e.g. 127.0.0.1:9469); fix `metrics:`";
  }
  if (options.healthz && g_healthz_open.exchange(true)) {
    return std::string("metrics: a server with /healthz is already open in this process");
  }
  // civetweb copies the callbacks when the server starts.
  CivetCallbacks callbacks;
  if (options.healthz) callbacks.begin_request = answer_healthz;
  auto published = std::make_shared<prom::PublishedFamilies>();
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // Two threads: a scrape is a copy and a serialization, and Prometheus scrapes one at a time.
    exposer = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", format_endpoint(*ep), "num_threads", "2"},
        &callbacks);
  } catch (const std::exception&) {
    if (options.healthz) g_healthz_open = false;
    return "metrics: cannot listen on " + format_endpoint(*ep) + ": " + bind_failure_reason(*ep) +
           "; choose a free local address for `metrics:`";
  }
  exposer->RegisterCollectable(published);
  return MetricsHttpServer(format_endpoint(*ep), options.healthz, std::move(published),
                           std::move(exposer));
}

void MetricsHttpServer::publish(std::vector<prometheus::MetricFamily> families) {
  published_->replace(families);
  // `families` now holds the previous set; it is freed here, outside the lock.
}

void MetricsHttpServer::publish_health(bool healthy, const std::vector<std::string>& problems) {
  if (!healthz_) return;
  std::string body;
  if (healthy) {
    body = "ok\n";
  } else {
    for (const auto& p : problems) body += p + "\n";
  }
  auto& slot = health_slot();
  std::lock_guard lock(slot.mutex);
  slot.healthy = healthy;
  slot.body = std::move(body);
}

}  // namespace lvs::base
