#include "io/agent_http.h"

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

#include "config/net_address.h"
#include "io/prometheus_families.h"
#include "io/unique_fd.h"

namespace lvs::agent {


namespace {

// The /healthz answer (see the header for why it is process-wide). Until the first publish the
// agent has verified nothing: 503.
struct HealthSlot {
  std::mutex mutex;
  bool healthy = false;
  std::string body = "starting\n";
};
HealthSlot& health_slot() {
  static HealthSlot slot;
  return slot;
}
std::atomic<bool> g_server_open{false};

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

std::string bind_failure_reason(const Endpoint& ep) {
  io::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return std::strerror(errno);
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(ep.port);
  sa.sin_addr.s_addr = htonl(ep.addr);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    return std::strerror(errno);
  }
  return "the HTTP server could not start";
}

}  // namespace

AgentHttpServer::AgentHttpServer(std::shared_ptr<prom::PublishedFamilies> published,
                                 std::unique_ptr<prometheus::Exposer> exposer)
    : published_(std::move(published)), exposer_(std::move(exposer)) {}
AgentHttpServer::AgentHttpServer(AgentHttpServer&&) noexcept = default;
AgentHttpServer& AgentHttpServer::operator=(AgentHttpServer&&) noexcept = default;
AgentHttpServer::~AgentHttpServer() {
  if (exposer_) {
    exposer_.reset();
    g_server_open = false;
  }
}

std::variant<AgentHttpServer, std::string> AgentHttpServer::open(const std::string& listen) {
  const auto ep = parse_endpoint(listen);
  if (!ep || ep->port == 0) {
    return "metrics: \"" + listen + "\" is not IPV4:PORT (e.g. 127.0.0.1:9470); fix `metrics:`";
  }
  if (g_server_open.exchange(true)) return std::string("metrics: a server is already open");
  // civetweb copies the callbacks when the server starts.
  CivetCallbacks callbacks;
  callbacks.begin_request = answer_healthz;
  auto published = std::make_shared<prom::PublishedFamilies>();
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", format_endpoint(*ep), "num_threads", "2"},
        &callbacks);
  } catch (const std::exception&) {
    g_server_open = false;
    return "metrics: cannot listen on " + format_endpoint(*ep) + ": " + bind_failure_reason(*ep) +
           "; choose a free local address for `metrics:`";
  }
  exposer->RegisterCollectable(published);
  return AgentHttpServer(std::move(published), std::move(exposer));
}

void AgentHttpServer::publish(std::vector<prometheus::MetricFamily> families,
                              const HealthReport& health) {
  published_->replace(families);
  std::string body;
  if (health.healthy) {
    body = "ok\n";
  } else {
    for (const auto& p : health.problems) body += p + "\n";
  }
  auto& slot = health_slot();
  std::lock_guard lock(slot.mutex);
  slot.healthy = health.healthy;
  slot.body = std::move(body);
}

}  // namespace lvs::agent
