#include "sched/locality_based_least_connection.h"

namespace lvs {

namespace {

// as ip_vs_lblc_del() → ip_vs_lblc_rcu_free(): the entry's reference on its server is dropped
// (at once here; the kernel waits for an RCU grace period).
void release_entry(Destination*& dest) {
  if (dest != nullptr) dest->release();
  dest = nullptr;
}

}  // namespace

LocalityBasedLeastConnection::~LocalityBasedLeastConnection() { table_.clear(release_entry); }

void LocalityBasedLeastConnection::destination_added(DestinationList, Destination& dest) {
  servers_.add(dest);
}

void LocalityBasedLeastConnection::destination_removed(DestinationList, Destination& dest,
                                                       std::size_t) {
  // Entries keep pointing at (and holding) a deleted server: it is skipped while not available
  // and used again if it is re-added before the entry is replaced or expires.
  servers_.remove(dest);
}

void LocalityBasedLeastConnection::destination_updated(DestinationList, Destination& dest) {
  servers_.refresh(dest);
}

void LocalityBasedLeastConnection::load_changed(Destination& dest) { servers_.refresh(dest); }

const Destination* LocalityBasedLeastConnection::cached(Ipv4 daddr) const {
  const Table::Entry* en = table_.find(daddr);
  return en == nullptr ? nullptr : en->payload;
}

Destination* LocalityBasedLeastConnection::schedule(DestinationList, const PacketInfo& packet,
                                                    TimeMs now) {
  table_.observe_clock(now);
  Table::Entry* en = table_.find(packet.daddr);
  if (en != nullptr) {
    // as ip_vs_lblc_schedule(): a hit refreshes lastuse even if the server is then rejected.
    en->lastuse = now;
    Destination* cached_dest = en->payload;
    // Available (not in the trash), not quiesced, and not is_overloaded(). The u/l-threshold
    // flag IP_VS_DEST_F_OVERLOAD is NOT checked on a hit: a remembered server over its
    // u_threshold keeps its addresses (only the fallback below skips flagged servers). A dead
    // host (not a kernel notion) loses them: it must get no new connection.
    if (cached_dest->available && cached_dest->weight > 0 && !cached_dest->dead &&
        !servers_.locality_overloaded(*cached_dest)) {
      return cached_dest;
    }
  }

  // as __ip_vs_lblc_schedule(): weighted least-connection over the list.
  Destination* dest = servers_.least_loaded();
  if (dest == nullptr) return nullptr;  // the entry, if any, is left as it was

  // as ip_vs_lblc_new(): the same server keeps the entry; another one replaces it (the kernel
  // frees the old entry and hashes a new one, lastuse = now — already set above).
  if (en != nullptr) {
    if (en->payload != dest) {
      release_entry(en->payload);
      dest->hold();
      en->payload = dest;
    }
  } else {
    Table::Entry& created = table_.insert(packet.daddr, now);
    dest->hold();
    created.payload = dest;
  }
  return dest;
}

void LocalityBasedLeastConnection::expire(TimeMs now) {
  table_.expire(now, expiration_, release_entry);
}

}  // namespace lvs
