// What `ipvsadm --stats` and `--rate` show for a service or a real server, as the kernel keeps
// them: the counters (struct ip_vs_kstats) and the estimated rates per second (what
// ip_vs_read_estimator() reads out of struct ip_vs_estimator). Plain data, shared by the live
// table (model/destination.h, service/virtual_service.h), lvsadm's snapshots (ctl/snapshot.h) and
// the metrics.
//
// Under direct routing the director never sees the replies, so the out counters and rates stay 0,
// as IPVS shows them for DR.
#pragma once

#include <cstdint>

namespace lvs {

struct TrafficStats {
  std::uint64_t conns = 0;  // connections scheduled (not persistence templates)
  std::uint64_t inpkts = 0;
  std::uint64_t outpkts = 0;
  std::uint64_t inbytes = 0;
  std::uint64_t outbytes = 0;
  friend bool operator==(const TrafficStats&, const TrafficStats&) = default;
};

// Per second (bytes for the bps columns).
struct EstimatedRates {
  std::uint64_t cps = 0;
  std::uint64_t inpps = 0;
  std::uint64_t outpps = 0;
  std::uint64_t inbps = 0;
  std::uint64_t outbps = 0;
  friend bool operator==(const EstimatedRates&, const EstimatedRates&) = default;
};

}  // namespace lvs
