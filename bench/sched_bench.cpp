// Scheduler decision time: what the data path pays per new connection, for every IPVS scheduler at
// 8, 64 and 1024 real servers, with servers carrying realistic connection counts.
//
// One timed item = schedule() for a fresh packet (rotating client address/port; for the
// locality/destination-hash schedulers a rotating destination address out of 4096, as a fwmark
// service covering a /20 would see) + bind the chosen server Inactive (a new connection) + unbind
// the connection chosen kRingSize decisions earlier (an old one closing), so the counters stay
// stationary around their preloaded level instead of drifting as the loop runs.
//
// Reference measured in the same run: KernelWlcScan / KernelLcScan, the kernel's own O(n) list
// walk (ip_vs_wlc_schedule(), ip_vs_lc_schedule()) behind the same interface, driven by the same
// loop, so "ours / reference" is a like-for-like ratio.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "config/model.h"
#include "sched/destination_hashing.h"
#include "sched/least_connection.h"
#include "sched/locality_based_least_connection.h"
#include "sched/maglev_hashing.h"
#include "sched/never_queue.h"
#include "sched/power_of_two_choices.h"
#include "sched/round_robin.h"
#include "sched/scheduler.h"
#include "sched/seeded_random.h"
#include "sched/shortest_expected_delay.h"
#include "sched/source_hashing.h"
#include "sched/weighted_failover.h"
#include "sched/weighted_least_connection.h"
#include "sched/weighted_overflow.h"
#include "sched/weighted_round_robin.h"
#include "service/virtual_service.h"

// lblcr is being written alongside this benchmark; measure it as soon as its header exists.
#if __has_include("sched/locality_based_least_connection_replication.h")
#include "sched/locality_based_least_connection_replication.h"
#define LVS_BENCH_HAVE_LBLCR 1
#endif

namespace lvs {
namespace {

// The kernel's ip_vs_wlc_schedule(): walk the whole list for the least overhead/weight, comparing
// by cross-multiplication; first usable server in list order wins ties. Deliberately plain.
class KernelWlcScan final : public Scheduler {
 public:
  std::string_view name() const override { return "wlc-scan"; }
  Destination* schedule(DestinationList list, const PacketInfo&, TimeMs) override {
    Destination* least = nullptr;
    std::uint64_t loh = 0;
    for (Destination* d : list) {
      if (d->overloaded || d->weight <= 0) continue;
      std::uint64_t doh = d->overhead();
      if (least == nullptr || loh * static_cast<std::uint64_t>(d->weight) >
                                  doh * static_cast<std::uint64_t>(least->weight)) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
};

// The kernel's ip_vs_lc_schedule(): least overhead, first in list order on ties.
class KernelLcScan final : public Scheduler {
 public:
  std::string_view name() const override { return "lc-scan"; }
  Destination* schedule(DestinationList list, const PacketInfo&, TimeMs) override {
    Destination* least = nullptr;
    std::uint32_t loh = 0;
    for (Destination* d : list) {
      if (d->overloaded || d->weight == 0) continue;
      std::uint32_t doh = d->overhead();
      if (least == nullptr || doh < loh) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
};

// The kernel's ip_vs_sed_schedule(): the first usable server, then any later one with a smaller
// (active + 1)/weight by cross-multiplication; first in list order wins ties. (nq's scan is the
// same walk when no server is idle, as here.)
class KernelSedScan final : public Scheduler {
 public:
  std::string_view name() const override { return "sed-scan"; }
  Destination* schedule(DestinationList list, const PacketInfo&, TimeMs) override {
    Destination* least = nullptr;
    std::uint64_t loh = 0;
    for (Destination* d : list) {
      if (d->blocked() || d->weight <= 0) continue;
      std::uint64_t doh = std::uint64_t{d->activeconns} + 1;
      if (least == nullptr || loh * static_cast<std::uint64_t>(d->weight) >
                                  doh * static_cast<std::uint64_t>(least->weight)) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
};

// The kernel's ip_vs_fo_schedule(): the highest weight, first in list order on ties.
class KernelFoScan final : public Scheduler {
 public:
  std::string_view name() const override { return "fo-scan"; }
  Destination* schedule(DestinationList list, const PacketInfo&, TimeMs) override {
    Destination* best = nullptr;
    std::int32_t hw = 0;
    for (Destination* d : list) {
      if (!d->blocked() && d->weight > hw) {
        best = d;
        hw = d->weight;
      }
    }
    return best;
  }
};

// The kernel's ip_vs_ovf_schedule(): fo's walk, skipping servers with more active connections
// than their weight.
class KernelOvfScan final : public Scheduler {
 public:
  std::string_view name() const override { return "ovf-scan"; }
  Destination* schedule(DestinationList list, const PacketInfo&, TimeMs) override {
    Destination* best = nullptr;
    std::int32_t hw = 0;
    for (Destination* d : list) {
      const std::int32_t w = d->weight;
      if (d->blocked() || std::int64_t{d->activeconns} > w || w == 0) continue;
      if (best == nullptr || w > hw) {
        best = d;
        hw = w;
      }
    }
    return best;
  }
};

// The kernel's ip_vs_twos_schedule(): two walks of the list per decision (twos_schedule_by_walk(),
// the literal loop), drawing from the same kind of stream as twos.
class KernelTwosWalk final : public Scheduler {
 public:
  std::string_view name() const override { return "twos-walk"; }
  Destination* schedule(DestinationList list, const PacketInfo&, TimeMs) override {
    return twos_schedule_by_walk(list, random_);
  }

 private:
  SeededRandom random_{kDefaultRandomSeed};
};

// How many connections are "open" beyond the preload at any time (one bind per decision, one
// unbind of the decision this many steps back).
constexpr std::size_t kRingSize = 4096;
// Destination addresses a fwmark service sees (dh, lblc, lblcr rotate over these).
constexpr std::uint32_t kDestinationAddresses = 4096;
constexpr Ipv4 kVip = 0x0ac80064;          // 10.200.0.100
constexpr Ipv4 kFirstServer = 0x0a010000;  // 10.1.0.0
constexpr Ipv4 kClientNet = 0xc0a80000;    // 192.168.0.0/16 (and beyond, see packet_for)
constexpr Ipv4 kFwmarkNet = 0x0a640000;    // 10.100.0.0/20

using SchedulerFactory = std::unique_ptr<Scheduler> (*)();

// The packet of new connection number i: a different client each time (a multiplicative hash of
// i spreads them over 2^20 addresses and all ports), a rotating destination for fwmark services.
PacketInfo packet_for(std::uint32_t i, bool fwmark) {
  std::uint32_t mixed = i * 0x9e3779b1u;
  PacketInfo p;
  p.protocol = 6;
  p.saddr = kClientNet + (mixed >> 12);
  p.sport = static_cast<std::uint16_t>(1024 + (mixed & 0xefff));
  p.daddr = fwmark ? kFwmarkNet + ((i * 0x85ebca6bu) >> 20) : kVip;
  p.dport = 80;
  return p;
}

// A service with `servers` destinations, weights 1..5, each carrying about 100 active and 25
// inactive connections (proportional to its weight, with some jitter so there are few exact ties),
// brought in the way the data path brings them: bind Inactive (SYN), then set_active (handshake).
std::unique_ptr<VirtualService> make_loaded_service(std::unique_ptr<Scheduler> scheduler,
                                                    std::uint32_t servers, bool fwmark) {
  config::ServiceKey key;
  if (fwmark) {
    key.protocol = config::ServiceProtocol::Fwmark;
    key.fwmark = 1;
  } else {
    key.protocol = config::ServiceProtocol::Tcp;
    key.vip = Endpoint{kVip, 80};
  }
  auto svc = std::make_unique<VirtualService>(key, std::move(scheduler), SchedulerFlags{});
  for (std::uint32_t i = 0; i < servers; ++i) {
    DestinationParams params;
    params.weight = static_cast<std::int32_t>(1 + i % 5);
    Destination* d = svc->add_destination(
        Endpoint{kFirstServer + i, static_cast<std::uint16_t>(fwmark ? 0 : 80)}, params);
    std::uint32_t active = 33u * static_cast<std::uint32_t>(params.weight) + (i * 7u) % 13u;
    std::uint32_t inactive = 8u * static_cast<std::uint32_t>(params.weight) + (i * 5u) % 7u;
    for (std::uint32_t c = 0; c < active + inactive; ++c) {
      VirtualService::bind(*d, ConnCount::Inactive);
      if (c < active) VirtualService::set_active(*d, true);
    }
  }
  return svc;
}

// One data-path step: a decision and its counter updates. Returns false if no server was found.
struct DecisionLoop {
  VirtualService& svc;
  bool fwmark;
  std::vector<Destination*> ring = std::vector<Destination*>(kRingSize, nullptr);
  std::uint32_t next = 0;
  TimeMs now = 1'000'000;

  void step() {
    PacketInfo p = packet_for(next, fwmark);
    Destination* d = svc.schedule(p, now);
    Destination*& slot = ring[next & (kRingSize - 1)];
    if (slot != nullptr) VirtualService::unbind(*slot, ConnCount::Inactive);
    if (d != nullptr) VirtualService::bind(*d, ConnCount::Inactive);
    slot = d;
    ++next;
    // About 1000 new connections per millisecond of simulated time; the periodic housekeeping
    // (lblc/lblcr expiry) runs once per simulated second, as the daemon's timer would.
    if ((next & 1023) == 0) {
      ++now;
      if (now % 1000 == 0) svc.expire(now);
    }
  }
};

void BM_Schedule(benchmark::State& state, SchedulerFactory factory, bool fwmark) {
  const auto servers = static_cast<std::uint32_t>(state.range(0));
  auto svc = make_loaded_service(factory(), servers, fwmark);
  DecisionLoop loop{*svc, fwmark};
  // Warm up: fill the ring (so every timed step unbinds as much as it binds) and, for the
  // locality schedulers, the address table (so the timed loop sees a steady state).
  for (std::size_t i = 0; i < 4 * kRingSize + 2 * kDestinationAddresses; ++i) loop.step();
  std::uint64_t none = svc->no_dest_total();
  for (auto _ : state) {
    loop.step();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["no_dest"] = static_cast<double>(svc->no_dest_total() - none);
  benchmark::DoNotOptimize(loop.ring.data());
}

// The step of the schedulers that read only active connections (sed, nq, ovf): in DecisionLoop
// every connection stays inactive, so their keys never move and each decision finds the same
// server at no cost. Here each new connection becomes established (bind Inactive, then
// set_active as the handshake completes) and the one placed kRingSize decisions earlier leaves
// that state and closes (set_active(false), unbind), so every step moves two active counts.
struct EstablishedLoop {
  VirtualService& svc;
  std::vector<Destination*> ring = std::vector<Destination*>(kRingSize, nullptr);
  std::uint32_t next = 0;

  void step() {
    Destination* d = svc.schedule(packet_for(next, false), 1'000'000);
    Destination*& slot = ring[next & (kRingSize - 1)];
    if (slot != nullptr) {
      VirtualService::set_active(*slot, false);
      VirtualService::unbind(*slot, ConnCount::Inactive);
    }
    if (d != nullptr) {
      VirtualService::bind(*d, ConnCount::Inactive);
      VirtualService::set_active(*d, true);
    }
    slot = d;
    ++next;
  }
};

// BM_Schedule's service with every weight multiplied by `weight_scale`: at 40 (weights 40..200)
// most servers hold no more active connections than their weight, so ovf has a choice to make
// (at the preload's weights 1..5 every server is past its weight and ovf finds none).
void BM_ScheduleEstablished(benchmark::State& state, SchedulerFactory factory,
                            std::int32_t weight_scale) {
  const auto servers = static_cast<std::uint32_t>(state.range(0));
  auto svc = make_loaded_service(factory(), servers, false);
  for (Destination* d : svc->destinations()) {
    svc->edit_destination(d->address, DestinationParams{d->weight * weight_scale, 0, 0});
  }
  EstablishedLoop loop{*svc};
  for (std::size_t i = 0; i < 4 * kRingSize; ++i) loop.step();
  std::uint64_t none = svc->no_dest_total();
  for (auto _ : state) {
    loop.step();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["no_dest"] = static_cast<double>(svc->no_dest_total() - none);
  benchmark::DoNotOptimize(loop.ring.data());
}

std::unique_ptr<Scheduler> make_rr() { return std::make_unique<RoundRobin>(); }
std::unique_ptr<Scheduler> make_wrr() { return std::make_unique<WeightedRoundRobin>(); }
std::unique_ptr<Scheduler> make_lc() { return std::make_unique<LeastConnection>(); }
std::unique_ptr<Scheduler> make_wlc() { return std::make_unique<WeightedLeastConnection>(); }
std::unique_ptr<Scheduler> make_lblc() { return std::make_unique<LocalityBasedLeastConnection>(); }
#ifdef LVS_BENCH_HAVE_LBLCR
std::unique_ptr<Scheduler> make_lblcr() {
  return std::make_unique<LocalityBasedLeastConnectionReplication>();
}
#endif
std::unique_ptr<Scheduler> make_dh() { return std::make_unique<DestinationHashing>(); }
std::unique_ptr<Scheduler> make_sh() { return std::make_unique<SourceHashing>(SchedulerFlags{}); }
std::unique_ptr<Scheduler> make_mh() { return std::make_unique<MaglevHashing>(SchedulerFlags{}); }
std::unique_ptr<Scheduler> make_twos() { return make_scheduler("twos", {}); }
std::unique_ptr<Scheduler> make_twos_walk() { return std::make_unique<KernelTwosWalk>(); }
std::unique_ptr<Scheduler> make_wlc_scan() { return std::make_unique<KernelWlcScan>(); }
std::unique_ptr<Scheduler> make_lc_scan() { return std::make_unique<KernelLcScan>(); }
std::unique_ptr<Scheduler> make_sed() { return std::make_unique<ShortestExpectedDelay>(); }
std::unique_ptr<Scheduler> make_nq() { return std::make_unique<NeverQueue>(); }
std::unique_ptr<Scheduler> make_fo() { return std::make_unique<WeightedFailover>(); }
std::unique_ptr<Scheduler> make_ovf() { return std::make_unique<WeightedOverflow>(); }
std::unique_ptr<Scheduler> make_sed_scan() { return std::make_unique<KernelSedScan>(); }
std::unique_ptr<Scheduler> make_fo_scan() { return std::make_unique<KernelFoScan>(); }
std::unique_ptr<Scheduler> make_ovf_scan() { return std::make_unique<KernelOvfScan>(); }

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(8)->Arg(64)->Arg(1024)->Repetitions(5)->ReportAggregatesOnly(true);
}

BENCHMARK_CAPTURE(BM_Schedule, rr, make_rr, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, wrr, make_wrr, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, lc, make_lc, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, wlc, make_wlc, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, lblc, make_lblc, true)->Apply(sizes);
#ifdef LVS_BENCH_HAVE_LBLCR
BENCHMARK_CAPTURE(BM_Schedule, lblcr, make_lblcr, true)->Apply(sizes);
#endif
BENCHMARK_CAPTURE(BM_Schedule, dh, make_dh, true)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, sh, make_sh, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, mh, make_mh, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, sed, make_sed, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, nq, make_nq, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, fo, make_fo, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, ovf, make_ovf, false)->Apply(sizes);  // no_dest: see above
BENCHMARK_CAPTURE(BM_Schedule, twos, make_twos, false)->Apply(sizes);
// sed, nq and ovf with their keys moving (EstablishedLoop).
BENCHMARK_CAPTURE(BM_ScheduleEstablished, sed, make_sed, 1)->Apply(sizes);
BENCHMARK_CAPTURE(BM_ScheduleEstablished, nq, make_nq, 1)->Apply(sizes);
BENCHMARK_CAPTURE(BM_ScheduleEstablished, ovf_w40, make_ovf, 40)->Apply(sizes);
// References: the kernel's linear walk, same loop.
BENCHMARK_CAPTURE(BM_Schedule, ref_lc_scan, make_lc_scan, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, ref_wlc_scan, make_wlc_scan, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, ref_sed_scan, make_sed_scan, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, ref_fo_scan, make_fo_scan, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Schedule, ref_twos_walk, make_twos_walk, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_ScheduleEstablished, ref_sed_scan, make_sed_scan, 1)->Apply(sizes);
BENCHMARK_CAPTURE(BM_ScheduleEstablished, ref_ovf_scan_w40, make_ovf_scan, 40)->Apply(sizes);

// mh table (re)build: what every ipvsadm -a/-e/-d costs an mh service (ip_vs_mh_reassign(): the
// whole table refilled), at 1000 servers of weight 1, for the default 4093 slots and 65521
// (CONFIG_IP_VS_MH_TAB_INDEX 16). The Maglev paper (NSDI '16) reports 1.8 ms for 65537 slots.
void BM_MhRebuild(benchmark::State& state, MaglevTableShape shape) {
  const auto servers = static_cast<std::uint32_t>(state.range(0));
  std::vector<Destination> dests(servers);
  std::vector<Destination*> list;
  for (std::uint32_t i = 0; i < servers; ++i) {
    dests[i].address = Endpoint{kFirstServer + i, 80};
    list.insert(list.begin(), &dests[i]);  // as ipvsadm -a links each at the head
  }
  MaglevHashing mh(SchedulerFlags{}, shape);
  mh.init_service(list);
  for (auto _ : state) {
    mh.rebuild(list);
    benchmark::ClobberMemory();
  }
  state.counters["slots"] = static_cast<double>(shape.size);
}
BENCHMARK_CAPTURE(BM_MhRebuild, mh_m4093, MaglevTableShape::for_tab_index(12))
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(BM_MhRebuild, mh_m65521, MaglevTableShape::for_tab_index(16))
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace lvs
