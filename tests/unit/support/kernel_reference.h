// The kernel's scheduling code written the straightforward way (list scans, a std::map for a
// table, no index), for the differential tests that run an indexed scheduler and its reference
// side by side on random inputs. Each piece names the mainline function it ports
// (net/netfilter/ipvs/); the schedulers' own test files hold what only they do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>

#include "model/destination.h"
#include "model/time_ms.h"
#include "sched/scheduler.h"
#include "service/virtual_service.h"

namespace lvs::test::kernel {

// ip_vs_dest_conn_overhead(): an active connection weighs 256 inactive ones. 64 bits, as the
// schedulers' cross-multiplications by weight are.
inline std::int64_t conn_overhead(const Destination& d) {
  return (std::int64_t{d.activeconns} << 8) + d.inactconns;
}

// ip_vs_lc_schedule(): least overhead, weight 0 and overloaded servers skipped, ties to the
// server nearest the list head. (The kernel keeps the overhead in an unsigned int here.)
inline Destination* lc_schedule(DestinationList list) {
  Destination* least = nullptr;
  std::uint32_t loh = 0;
  for (Destination* d : list) {
    if (d->overloaded || d->weight == 0) continue;
    const std::uint32_t doh = (d->activeconns << 8) + d->inactconns;
    if (least == nullptr || doh < loh) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

// ip_vs_wlc_schedule(), both stages: the first usable server (not overloaded, weight > 0), then
// any later one with a smaller overhead/weight, compared as loh * w > doh * lw. The fallback of
// __ip_vs_lblc_schedule() and __ip_vs_lblcr_schedule() is the same loop.
inline Destination* wlc_schedule(DestinationList list) {
  std::size_t i = 0;
  Destination* least = nullptr;
  for (; i < list.size(); ++i) {
    if (!list[i]->overloaded && list[i]->weight > 0) {
      least = list[i];
      break;
    }
  }
  if (least == nullptr) return nullptr;
  std::int64_t loh = conn_overhead(*least);
  for (++i; i < list.size(); ++i) {
    Destination* d = list[i];
    if (d->overloaded) continue;
    const std::int64_t doh = conn_overhead(*d);
    if (loh * d->weight > doh * least->weight) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

// is_overloaded() of ip_vs_lblc.c and ip_vs_lblcr.c: more active connections than the weight
// while some server of the service has active * 2 < weight.
inline bool locality_overloaded(DestinationList list, const Destination& dest) {
  if (std::int64_t{dest.activeconns} > dest.weight) {
    for (const Destination* d : list) {
      if (std::int64_t{d->activeconns} * 2 < d->weight) return true;
    }
  }
  return false;
}

// The table of destination addresses both locality schedulers keep (ip_vs_lblc_table,
// ip_vs_lblcr_table) with its periodic timer, ip_vs_lblc_check_expire() /
// ip_vs_lblcr_check_expire(): every CHECK_EXPIRE_INTERVAL (60 s) from the first time seen, and
// on every COUNT_FOR_FULL_EXPIRATION-th (30th) run the full check, which drops the entries unused
// for the expiration time and lets go of every server they hold. The over-size collection is
// left out: the differential runs stay far below the table's maximum.
//
// `Entry` has `lastuse` and `held()`, the servers it holds a reference on.
template <class Entry>
class LocalityTable {
 public:
  explicit LocalityTable(TimeMs expiration) : expiration_(expiration) {}
  ~LocalityTable() {
    for (auto& [addr, en] : entries_) release(en);
  }
  LocalityTable(const LocalityTable&) = delete;
  LocalityTable& operator=(const LocalityTable&) = delete;

  // The timer is armed by the first decision or expiry call (the service's first use).
  void arm(TimeMs now) {
    if (!armed_) {
      armed_ = true;
      next_ = now + 60 * 1000;
    }
  }

  // Every run due by `now`, in order (a clock that jumps makes up the missed runs).
  void expire(TimeMs now) {
    arm(now);
    while (next_ <= now) {
      const TimeMs at = next_;
      if (counter_ % 30 == 0) {
        for (auto it = entries_.begin(); it != entries_.end();) {
          if (at >= it->second.lastuse + expiration_) {
            release(it->second);
            it = entries_.erase(it);
          } else {
            ++it;
          }
        }
        counter_ = 1;
      } else {
        ++counter_;
      }
      next_ = at + 60 * 1000;
    }
  }

  Entry* find(Ipv4 daddr) {
    auto it = entries_.find(daddr);
    return it == entries_.end() ? nullptr : &it->second;
  }
  const Entry* find(Ipv4 daddr) const {
    auto it = entries_.find(daddr);
    return it == entries_.end() ? nullptr : &it->second;
  }
  // A new entry; its references are taken by the caller.
  void insert(Ipv4 daddr, Entry en) { entries_[daddr] = std::move(en); }
  std::size_t size() const { return entries_.size(); }
  TimeMs expiration() const { return expiration_; }

 private:
  static void release(Entry& en) {
    for (Destination* d : en.held()) d->release();
  }

  TimeMs expiration_;
  std::map<Ipv4, Entry> entries_;
  bool armed_ = false;
  TimeMs next_ = 0;
  int counter_ = 1;
};

}  // namespace lvs::test::kernel
