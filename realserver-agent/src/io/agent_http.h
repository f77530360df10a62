// The agent's HTTP endpoint on the config's `metrics:` address: GET /metrics (Prometheus text
// format, families built by core/agent_metrics.h) and GET /healthz (200 "ok" only while every VIP
// is present and suppression is verified, else 503 with one problem per line).
//
// Both are served by prometheus-cpp's Exposer (civetweb underneath): /metrics as a registered
// Collectable, /healthz through civetweb's begin_request callback, which the Exposer passes on
// to its CivetServer — so there is one listener, one thread pool, and no HTTP code of our own.
// That callback is a plain C function with no user pointer of ours, so the health answer it
// reads lives in one process-wide slot; a process runs at most one AgentHttpServer (open()
// refuses a second).
//
// Like the director's MetricsServer (director/src/io/metrics_server.h), the daemon loop publishes
// complete snapshots; the HTTP threads never touch the live state.
#pragma once

#include <prometheus/metric_family.h>

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/drift_plan.h"

namespace prometheus {
class Exposer;
}

namespace lvs::prom {
class PublishedFamilies;
}  // namespace lvs::prom

namespace lvs::agent {

class AgentHttpServer {
 public:
  static std::variant<AgentHttpServer, std::string> open(const std::string& listen);

  AgentHttpServer(AgentHttpServer&&) noexcept;
  AgentHttpServer& operator=(AgentHttpServer&&) noexcept;
  ~AgentHttpServer();

  void publish(std::vector<prometheus::MetricFamily> families, const HealthReport& health);

 private:
  AgentHttpServer(std::shared_ptr<prom::PublishedFamilies> published,
                  std::unique_ptr<prometheus::Exposer> exposer);
  std::shared_ptr<prom::PublishedFamilies> published_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace lvs::agent
