// The director's Prometheus endpoint: a prometheus::Exposer (civetweb, its own HTTP threads)
// listening on the config's `metrics:` IPV4:PORT, serving GET /metrics in the Prometheus text
// format 0.0.4 (Content-Type: text/plain; charset=utf-8 — prometheus-cpp 1.0 adds no version
// parameter, and Prometheus reads plain text/plain as 0.0.4). Besides the published families a
// scrape carries prometheus-cpp's own exposer_* metrics (scrapes, bytes, latency).
//
// Stopping takes up to 2 s: civetweb's listener polls with a 2 s quantum before it sees the
// stop flag. The daemon drops the server after its table is removed, so shutdown stays prompt
// where it matters.
//
// Why publish instead of registering live metrics: the scrape threads run concurrently with the
// single-threaded event loop, and the core's counters are plain integers the loop changes without
// locks. So the loop builds a complete set of families (daemon/director_metrics.h) once a second
// and publish()es it; a scrape returns the last published set under a mutex and never touches the
// live core. A scrape therefore sees figures up to one publish interval old.
//
// The config always names an address (`metrics:` defaults to 127.0.0.1:9469 and has no "off");
// the endpoint is always on.
//
// Civetweb's threads start inside open(): open it after the signals the loop takes through
// signalfd are blocked (io::SignalSource::open()), so the threads inherit the blocked mask and
// a SIGTERM is never delivered to one of them.
#pragma once

#include <prometheus/metric_family.h>

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace prometheus {
class Exposer;
}

namespace lvs::prom {
class PublishedFamilies;
}  // namespace lvs::prom

namespace lvs::io {

class MetricsServer {
 public:
  // Listens on `listen` ("IPV4:PORT"). Errors are one line naming the address and the reason
  // (e.g. "address already in use"), with what to do.
  static std::variant<MetricsServer, std::string> open(const std::string& listen);

  MetricsServer(MetricsServer&&) noexcept;
  MetricsServer& operator=(MetricsServer&&) noexcept;
  ~MetricsServer();

  // Replaces what scrapes return. Called by the event loop thread; cheap (a swap under the lock).
  void publish(std::vector<prometheus::MetricFamily> families);

  // The address listened on, as given.
  const std::string& address() const { return address_; }

 private:
  MetricsServer(std::string address, std::shared_ptr<prom::PublishedFamilies> published,
                std::unique_ptr<prometheus::Exposer> exposer);

  std::string address_;
  // Declared before the exposer so it outlives the HTTP threads (the exposer holds it weakly).
  std::shared_ptr<prom::PublishedFamilies> published_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace lvs::io
