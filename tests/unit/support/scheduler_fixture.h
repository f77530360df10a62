// The fixture of the sched_*_test.cpp files: one VirtualService driven by the scheduler under
// test (kept typed, for its inspection methods), servers added as `ipvsadm -a` adds them (each
// at the list head, so servers added A, B, C sit in list order C, B, A) and decisions taken.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/service_key.h"
#include "model/packet_info.h"
#include "sched/scheduler.h"
#include "service/virtual_service.h"

namespace lvs::test {

template <class Sched>
class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : SchedulerTest(std::make_unique<Sched>()) {}
  explicit SchedulerTest(std::unique_ptr<Sched> sched, SchedulerFlags flags = {},
                         const config::ServiceKey& key = {}) {
    make(std::move(sched), flags, key);
  }

  // A new service with this scheduler, replacing the one the fixture holds.
  void make(std::unique_ptr<Sched> sched, SchedulerFlags flags = {},
            const config::ServiceKey& key = {}) {
    sched_ = sched.get();
    svc_ = std::make_unique<VirtualService>(key, std::move(sched), flags);
  }

  Destination* add(const Endpoint& ep, std::int32_t weight = 1, std::uint32_t u = 0,
                   std::uint32_t l = 0) {
    return svc_->add_destination(ep, DestinationParams{weight, u, l});
  }
  Destination* pick(const PacketInfo& p = {}, TimeMs now = 0) { return svc_->schedule(p, now); }

  // The next n decisions as letters, 'A' for the server at address `a`, 'B' for a + 1, ...,
  // '-' for none.
  std::string picks(int n, Ipv4 a) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      Destination* d = pick();
      out += d == nullptr ? '-' : static_cast<char>('A' + (d->address.addr - a));
    }
    return out;
  }

  Sched* sched_ = nullptr;
  std::unique_ptr<VirtualService> svc_;
};

// What VirtualService::add_destination() does for a scheduler, done by hand on a plain list (the
// way a wrapping scheduler such as lblc feeds its wlc): `d` linked at the head with sequence
// number `seq`, then the scheduler told.
inline void link_at_head(Scheduler& sched, std::vector<Destination*>& list, Destination& d,
                         std::uint64_t seq) {
  d.list_seq = seq;
  d.last_weight = d.weight;  // __ip_vs_update_dest(add)
  list.insert(list.begin(), &d);
  sched.destination_added(list, d);
}

}  // namespace lvs::test
