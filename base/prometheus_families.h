// Building blocks both daemons' Prometheus exports share: making a family and adding a sample
// (pure, header-only), and the Collectable a prometheus::Exposer serves — the last families the
// event loop published, copied out under a lock, so scrapes never touch the live state.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace lvs::prom {

// The prometheus-cpp data types the families are made of, under the helpers' name.
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

inline prometheus::MetricFamily family(std::string name, std::string help,
                                       prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

// Prometheus values are doubles: counters above 2^53 lose their last digits, as every client's do.
inline void add(prometheus::MetricFamily& f, std::vector<prometheus::ClientMetric::Label> labels,
                double value) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  if (f.type == prometheus::MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

class PublishedFamilies : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard lock(mutex_);
    return families_;
  }
  // Swaps `families` in; the caller gets the previous set back (to reuse or drop).
  void replace(std::vector<prometheus::MetricFamily>& families) {
    std::lock_guard lock(mutex_);
    families_.swap(families);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<prometheus::MetricFamily> families_;
};

}  // namespace lvs::prom
