// What the locality schedulers' tests (sched_lblc_test.cpp, sched_lblcr_test.cpp) share: the
// fixture (servers 10.0.0.x:80 added by their last octet, decisions for packets to a destination
// address), and the differential run against a kernel reference: ipvsadm edits of seven servers
// 10.0.0.1-7:80, connections bound to the chosen servers, unbound and moved between active and
// inactive, the clock jumping forward with the expiry timer run, and decisions for a few
// destination addresses 10.100.0.x. Each test says how often each operation comes (`Mix`) and
// how a decision is checked.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "config/service_key.h"
#include "model/packet_info.h"
#include "service/virtual_service.h"
#include "support/scheduler_fixture.h"

namespace lvs::test {

inline constexpr TimeMs kSecond = 1000;
inline constexpr TimeMs kMinute = 60 * kSecond;

// Server 10.0.0.`last_octet`:80.
inline Endpoint rs(std::uint32_t last_octet) { return Endpoint{0x0a000000u + last_octet, 80}; }

// A packet from 192.168.0.1:40000 to `daddr`:80, the address the locality schedulers key on.
inline PacketInfo to(Ipv4 daddr) {
  PacketInfo p;
  p.saddr = 0xc0a80001u;
  p.sport = 40000;
  p.daddr = daddr;
  p.dport = 80;
  return p;
}

// The service tcp/10.100.0.255:80 with a `Sched` expiring its entries after `expiration`.
template <class Sched>
class LocalitySchedulerTest : public SchedulerTest<Sched> {
 protected:
  explicit LocalitySchedulerTest(TimeMs expiration = Sched::kDefaultExpiration)
      : SchedulerTest<Sched>(
            std::make_unique<Sched>(expiration), {},
            config::ServiceKey{config::ServiceProtocol::Tcp, Endpoint{0x0a6400ffu, 80}, 0}) {}

  const Sched& sched() const { return static_cast<const Sched&>(this->svc_->scheduler()); }
  Destination* add(std::uint32_t octet, std::int32_t weight, std::uint32_t u = 0,
                   std::uint32_t l = 0) {
    return SchedulerTest<Sched>::add(rs(octet), weight, u, l);
  }
  Destination* pick(Ipv4 daddr, TimeMs now = 0) {
    return SchedulerTest<Sched>::pick(to(daddr), now);
  }
};

class LocalityDifferentialRun {
 public:
  // An operation draw `op` in 0..99 picks: < 5 -a, < 9 -e, < 11 -d, < unbind_below unbind a
  // connection, < toggle_below move one between active and inactive (both only while there
  // are connections, else the next row takes the draw), < tick_below advance the clock by 0 to
  // max_tick_s seconds, else a decision for one of `addresses` destination addresses.
  struct Mix {
    int unbind_below;
    int toggle_below;
    int tick_below;
    int max_tick_s;
    int addresses;
    int max_u_threshold;  // -a/-e draw an upper threshold 1..this half of the time, else 0
  };

  LocalityDifferentialRun(VirtualService& svc, std::uint32_t seed, Mix mix)
      : svc_(svc), rng_(seed), mix_(mix) {}

  // `steps` operations. After each clock jump `expired(now, step)`; for each decision
  // `decide(daddr, now, step, chosen)`, which sets `chosen` to the server the real scheduler
  // chose (bound as a new connection, active or inactive at random) or nullptr. Both may ASSERT:
  // the run stops at the first fatal failure.
  template <class Expired, class Decide>
  void run(int steps, Expired expired, Decide decide) {
    for (int step = 0; step < steps; ++step) {
      const int op = pick(0, 99);
      const Endpoint ep{0x0a000000u + static_cast<Ipv4>(pick(1, 7)), 80};
      if (op < 5) {
        svc_.add_destination(ep, params());
      } else if (op < 9) {
        svc_.edit_destination(ep, params());
      } else if (op < 11) {
        svc_.delete_destination(ep);
      } else if (op < mix_.unbind_below && !conns_.empty()) {
        const auto i = static_cast<std::size_t>(pick(0, static_cast<int>(conns_.size()) - 1));
        VirtualService::unbind(*conns_[i].dest, conns_[i].count);
        conns_.erase(conns_.begin() + static_cast<std::ptrdiff_t>(i));
      } else if (op < mix_.toggle_below && !conns_.empty()) {
        const auto i = static_cast<std::size_t>(pick(0, static_cast<int>(conns_.size()) - 1));
        const bool to_active = conns_[i].count == ConnCount::Inactive;
        VirtualService::set_active(*conns_[i].dest, to_active);
        conns_[i].count = to_active ? ConnCount::Active : ConnCount::Inactive;
      } else if (op < mix_.tick_below) {
        now_ += static_cast<TimeMs>(pick(0, mix_.max_tick_s)) * 1000;
        expired(now_, step);
      } else {
        const Ipv4 daddr = 0x0a640000u + static_cast<Ipv4>(pick(0, mix_.addresses - 1));
        Destination* got = nullptr;
        decide(daddr, now_, step, got);
        if (::testing::Test::HasFatalFailure()) return;
        if (got != nullptr) {
          const ConnCount c = pick(0, 1) == 0 ? ConnCount::Active : ConnCount::Inactive;
          VirtualService::bind(*got, c);
          conns_.push_back(Conn{got, c});
        }
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

  // Lets go of the connections the run left, so the service can be checked for leaks.
  void unbind_all() {
    for (const Conn& c : conns_) VirtualService::unbind(*c.dest, c.count);
    conns_.clear();
  }

 private:
  struct Conn {
    Destination* dest;
    ConnCount count;
  };

  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  // Braced: the draws are made left to right.
  DestinationParams params() {
    return DestinationParams{pick(0, 5),
                             static_cast<std::uint32_t>(pick(0, 1) * pick(1, mix_.max_u_threshold)),
                             static_cast<std::uint32_t>(pick(0, 2))};
  }

  VirtualService& svc_;
  std::mt19937 rng_;
  Mix mix_;
  std::vector<Conn> conns_;
  TimeMs now_ = 0;
};

// 20 runs (seeds 1..20) of 4000 operations, each on a new service with a `Sched` and beside it
// a `Reference` (both expiring entries after `expiration`): after every clock jump both
// schedulers' timers run and their entry counts must agree; each decision is
// `decide(svc, real, ref, daddr, now, chosen, where)`, which asks both and checks what it needs
// (`where` names the seed and step). After each run every reference must be let go: with the
// connections unbound, the reference gone and the scheduler replaced, the service is
// unreferenced and its trash empty. Stops at the first fatal failure.
template <class Sched, class Reference, class Decide>
void locality_differential(TimeMs expiration, LocalityDifferentialRun::Mix mix, Decide decide) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    VirtualService svc(config::ServiceKey{}, std::make_unique<Sched>(expiration), {});
    const auto& real = static_cast<const Sched&>(svc.scheduler());
    auto ref = std::make_unique<Reference>(expiration);
    LocalityDifferentialRun run(svc, seed, mix);
    run.run(
        4000,
        [&](TimeMs now, int step) {
          ref->expire(now);
          svc.expire(now);
          ASSERT_EQ(real.entries(), ref->size()) << "seed " << seed << " step " << step;
        },
        [&](Ipv4 daddr, TimeMs now, int step, Destination*& chosen) {
          decide(svc, real, *ref, daddr, now, chosen,
                 "seed " + std::to_string(seed) + " step " + std::to_string(step));
        });
    if (::testing::Test::HasFatalFailure()) return;
    run.unbind_all();
    ref.reset();
    svc.set_scheduler(std::make_unique<Sched>(), {});
    EXPECT_TRUE(svc.unreferenced()) << "seed " << seed;
    EXPECT_EQ(svc.trash_size(), 0u) << "seed " << seed;
  }
}

}  // namespace lvs::test
