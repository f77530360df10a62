// Both daemons' HTTP endpoint: a prometheus::Exposer (civetweb, its own HTTP threads) listening
// on the config's `metrics:` IPV4:PORT, serving
//   GET /metrics  the Prometheus text format 0.0.4 (Content-Type: text/plain; charset=utf-8 —
//                 prometheus-cpp 1.0 adds no version parameter, and Prometheus reads plain
//                 text/plain as 0.0.4), plus prometheus-cpp's own exposer_* metrics
//   GET /healthz  only when opened with `healthz`: 200 "ok" while the daemon says it is
//                 healthy, else 503 with one problem per line (503 "starting" until the first
//                 publish_health())
// so there is one listener, one thread pool, and no HTTP code of our own.
//
// Why publish instead of registering live metrics: the scrape threads run concurrently with the
// single-threaded event loop, and the cores' counters are plain integers the loop changes without
// locks. So the loop builds a complete set of families once a second and publish()es it; a scrape
// returns the last published set under a mutex and never touches the live core. A scrape
// therefore sees figures up to one publish interval old.
//
// /healthz is answered through civetweb's begin_request callback, which the Exposer passes on to
// its CivetServer. That callback is a plain C function with no user pointer of ours, so the
// health answer lives in one process-wide slot: a process has at most one server with `healthz`
// (open() refuses a second).
//
// Stopping takes up to 2 s: civetweb's listener polls with a 2 s quantum before it sees the
// stop flag. The daemons drop the server last, so shutdown stays prompt where it matters.
//
// Civetweb's threads start inside open(): open it after the signals the loop takes through
// signalfd are blocked (base::SignalSource::open()), so the threads inherit the blocked mask and
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

namespace lvs::base {

struct MetricsHttpOptions {
  bool healthz = false;  // also serve GET /healthz (publish_health())
};

class MetricsHttpServer {
 public:
  // Listens on `listen` ("IPV4:PORT"). Errors are one line naming the address and the reason
  // (e.g. "address already in use"), with what to do.
  static std::variant<MetricsHttpServer, std::string> open(const std::string& listen,
                                                           MetricsHttpOptions options = {});

  MetricsHttpServer(MetricsHttpServer&&) noexcept;
  MetricsHttpServer& operator=(MetricsHttpServer&&) noexcept;
  ~MetricsHttpServer();

  // Replaces what scrapes return. Called by the event loop thread; cheap (a swap under the lock).
  void publish(std::vector<prometheus::MetricFamily> families);
  // Replaces the /healthz answer: 200 "ok" when `healthy`, else 503 with `problems`, one per
  // line. Only for a server opened with `healthz`.
  void publish_health(bool healthy, const std::vector<std::string>& problems);

  // The address listened on, as given.
  const std::string& address() const { return address_; }

 private:
  MetricsHttpServer(std::string address, bool healthz,
                    std::shared_ptr<prom::PublishedFamilies> published,
                    std::unique_ptr<prometheus::Exposer> exposer);

  std::string address_;
  bool healthz_ = false;
  // Declared before the exposer so it outlives the HTTP threads (the exposer holds it weakly).
  std::shared_ptr<prom::PublishedFamilies> published_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace lvs::base
