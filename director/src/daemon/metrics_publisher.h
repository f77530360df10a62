// Builds the director's metric families on a thread of its own and publishes them, so the
// packet thread only copies counters (gather_director_metrics()): with 50,000 real servers the
// families are ~400k series whose labels and formatting took the event loop close to a second
// per publish (the longest stall a 50k-server reload showed before this). The newest gathered
// figures win: a set not yet built when the next arrives is dropped. The thread touches nothing
// but the figures it is handed and MetricsHttpServer::publish() (a mutex-guarded swap).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "base/metrics_http_server.h"
#include "daemon/director_metrics.h"

namespace lvs {

class MetricsPublisher {
 public:
  explicit MetricsPublisher(base::MetricsHttpServer& server);
  MetricsPublisher(const MetricsPublisher&) = delete;
  MetricsPublisher& operator=(const MetricsPublisher&) = delete;
  // Stops the thread (a build in progress finishes first). Call before the server goes.
  ~MetricsPublisher();

  void submit(std::unique_ptr<DirectorMetricsFigures> figures);

 private:
  void run();

  base::MetricsHttpServer& server_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::unique_ptr<DirectorMetricsFigures> pending_;  // guarded by mutex_
  bool stop_ = false;                                // guarded by mutex_
  std::thread thread_;                               // last: starts once the rest exists
};

}  // namespace lvs
