#include "daemon/metrics_publisher.h"

#include <utility>

namespace lvs {

MetricsPublisher::MetricsPublisher(base::MetricsHttpServer& server)
    : server_(server), thread_([this] { run(); }) {}

MetricsPublisher::~MetricsPublisher() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void MetricsPublisher::submit(std::unique_ptr<DirectorMetricsFigures> figures) {
  std::unique_ptr<DirectorMetricsFigures> dropped;  // freed outside the lock
  {
    std::lock_guard lock(mutex_);
    dropped = std::exchange(pending_, std::move(figures));
  }
  wake_.notify_one();
}

void MetricsPublisher::run() {
  for (;;) {
    std::unique_ptr<DirectorMetricsFigures> figures;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || pending_ != nullptr; });
      if (stop_) return;
      figures = std::move(pending_);
    }
    server_.publish(build_director_metrics(*figures));
  }
}

}  // namespace lvs
