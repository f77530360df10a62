#include "sched/locality_based_least_connection_replication.h"

#include <algorithm>
#include <cstdint>

namespace lvs {

namespace {

using DestinationSet = LocalityBasedLeastConnectionReplication::DestinationSet;

// as ip_vs_dest_set_insert(): a new member goes to the head of the set and holds a reference;
// with `check`, a server already in the set changes nothing (not even lastmod).
void set_insert(DestinationSet& set, Destination& dest, bool check, TimeMs now) {
  if (check && std::find(set.members.begin(), set.members.end(), &dest) != set.members.end()) {
    return;
  }
  dest.hold();
  set.members.insert(set.members.begin(), &dest);
  set.lastmod = now;
}

// as ip_vs_dest_set_erase(): drops the member and its reference; lastmod = now.
void set_erase(DestinationSet& set, Destination& dest, TimeMs now) {
  auto it = std::find(set.members.begin(), set.members.end(), &dest);
  if (it == set.members.end()) return;
  set.members.erase(it);
  set.lastmod = now;
  dest.release();
}

// as ip_vs_dest_set_eraseall() (entry freed): every member's reference dropped. The vector
// keeps its capacity for the next entry that reuses the slot.
void release_set(DestinationSet& set) {
  for (Destination* d : set.members) d->release();
  set.members.clear();
  set.lastmod = 0;
}

// as ip_vs_dest_set_min(): the least overhead/weight among members that have weight > 0, are
// available (not deleted) and are not flagged overloaded by their u/l thresholds; an equal load
// keeps the member met first (the most recently added).
Destination* set_min(const DestinationSet& set) {
  Destination* least = nullptr;
  std::int64_t loh = 0;
  for (Destination* d : set.members) {
    if (d->blocked() || !d->available || d->weight <= 0) continue;
    const std::int64_t doh = d->overhead();
    if (least == nullptr || loh * d->weight > doh * least->weight) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

// as ip_vs_dest_set_max(): the greatest overhead/weight among members with weight > 0 — deleted
// and threshold-overloaded members included — an equal load keeping the member met first.
Destination* set_max(const DestinationSet& set) {
  Destination* most = nullptr;
  std::int64_t moh = 0;
  for (Destination* d : set.members) {
    if (d->weight <= 0) continue;
    const std::int64_t doh = d->overhead();
    if (most == nullptr || moh * d->weight < doh * most->weight) {
      most = d;
      moh = doh;
    }
  }
  return most;
}

}  // namespace

LocalityBasedLeastConnectionReplication::~LocalityBasedLeastConnectionReplication() {
  table_.clear(release_set);
}

void LocalityBasedLeastConnectionReplication::destination_added(DestinationList,
                                                                Destination& dest) {
  servers_.add(dest);
}

void LocalityBasedLeastConnectionReplication::destination_removed(DestinationList,
                                                                  Destination& dest, std::size_t) {
  // The kernel has no del_dest hook for lblcr: a deleted server stays in the sets that hold it
  // (skipped by set_min while unavailable, still a candidate for set_max's shrinking) until it
  // is shed, its entry expires, or it is re-added and usable again.
  servers_.remove(dest);
}

void LocalityBasedLeastConnectionReplication::destination_updated(DestinationList,
                                                                  Destination& dest) {
  servers_.refresh(dest);
}

void LocalityBasedLeastConnectionReplication::load_changed(Destination& dest) {
  servers_.refresh(dest);
}

std::vector<const Destination*> LocalityBasedLeastConnectionReplication::server_set(
    Ipv4 daddr) const {
  const Table::Entry* en = table_.find(daddr);
  if (en == nullptr) return {};
  return {en->payload.members.begin(), en->payload.members.end()};
}

Destination* LocalityBasedLeastConnectionReplication::schedule(DestinationList,
                                                               const PacketInfo& packet,
                                                               TimeMs now) {
  table_.observe_clock(now);
  Table::Entry* en = table_.find(packet.daddr);
  if (en != nullptr) {
    // as ip_vs_lblcr_schedule(), cache hit.
    en->lastuse = now;
    DestinationSet& set = en->payload;
    Destination* dest = set_min(set);

    // More than one member and no change for the expiration time: shed the most loaded one
    // (possibly `dest` itself, which is still returned below if fit, as the kernel does).
    if (set.members.size() > 1 && now > set.lastmod + expiration_) {
      if (Destination* most = set_max(set); most != nullptr) set_erase(set, *most, now);
    }

    if (dest != nullptr && !servers_.locality_overloaded(*dest)) return dest;

    // No usable member, or it is overloaded while a server is less than half loaded: the
    // weighted least-connection server joins the set.
    dest = servers_.least_loaded();
    if (dest == nullptr) return nullptr;
    set_insert(set, *dest, /*check=*/true, now);
    return dest;
  }

  // No entry: as __ip_vs_lblcr_schedule() + ip_vs_lblcr_new().
  Destination* dest = servers_.least_loaded();
  if (dest == nullptr) return nullptr;
  Table::Entry& created = table_.insert(packet.daddr, now);
  set_insert(created.payload, *dest, /*check=*/false, now);
  return dest;
}

void LocalityBasedLeastConnectionReplication::expire(TimeMs now) {
  table_.expire(now, expiration_, release_set);
}

}  // namespace lvs
