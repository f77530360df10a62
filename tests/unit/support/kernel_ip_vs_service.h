// The kernel's real-server paths transcribed literally, for service_kernel_transcription_test:
// ipvsadm -a/-e/-d (ip_vs_add_dest(), ip_vs_new_dest(), __ip_vs_update_dest(), ip_vs_edit_dest(),
// ip_vs_del_dest() with __ip_vs_unlink_dest() and __ip_vs_del_dest(), ip_vs_trash_get_dest(),
// ip_vs_dest_trash_expire() of ip_vs_ctl.c), connections bound and unbound (ip_vs_bind_dest(),
// ip_vs_unbind_dest() of ip_vs_conn.c) and moved between active and inactive (set_tcp_state() of
// ip_vs_proto_tcp.c), and the rr, lc and wlc decisions on the resulting list (ip_vs_rr.c,
// ip_vs_lc.c, ip_vs_wlc.c). Mainline's code with the kernel's names, on a real doubly linked
// list, reduced to what these paths touch: no locks, RCU, statistics, estimators, routes or
// address families; one service, so the netns-wide trash only ever holds its servers. Time is in
// milliseconds (HZ = 1000). support/kernel_reference.h has the same lc/wlc scans over our own
// Destination list; these walk the transcription's.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/net_address.h"

namespace lvs::test::kernel {

// include/uapi/linux/ip_vs.h
constexpr unsigned IP_VS_DEST_F_AVAILABLE = 0x0001;
constexpr unsigned IP_VS_DEST_F_OVERLOAD = 0x0002;
constexpr unsigned IP_VS_CONN_F_INACTIVE = 0x0100;
constexpr unsigned IP_VS_CONN_F_TEMPLATE = 0x1000;
// include/net/ip_vs.h
constexpr unsigned long IP_VS_DEST_TRASH_PERIOD = 120 * 1000;

struct IpVsDest;

// struct list_head, knowing the entry it is embedded in (list_entry()); nullptr for a list head.
struct ListHead {
  ListHead* next = this;
  ListHead* prev = this;
  IpVsDest* entry = nullptr;
};

// list_add_rcu() / list_add(): after `head`, i.e. at the front.
inline void list_add(ListHead* entry, ListHead* head) {
  entry->next = head->next;
  entry->prev = head;
  head->next->prev = entry;
  head->next = entry;
}
// list_del_rcu(): `next` stays valid (ip_vs_rr_del_dest() relies on it), `prev` is poisoned.
inline void list_del_rcu(ListHead* entry) {
  entry->next->prev = entry->prev;
  entry->prev->next = entry->next;
  entry->prev = nullptr;  // LIST_POISON2
}

// struct ip_vs_dest
struct IpVsDest {
  IpVsDest() {
    n_list.entry = this;
    t_list.entry = this;
  }
  ListHead n_list;  // in svc->destinations
  ListHead t_list;  // in ipvs->dest_trash
  Endpoint addr;    // addr and port
  unsigned flags = 0;
  unsigned conn_flags = 0;
  int weight = 0;
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
  int activeconns = 0;
  int inactconns = 0;
  int persistconns = 0;
  int refcnt = 0;
  unsigned long idle_start = 0;
  bool freed = false;  // ip_vs_dest_free(): the memory is kept so a stale use is caught
};

// struct ip_vs_dest_user_kern: what ipvsadm -a/-e sends (-x/-y omitted: 0).
struct IpVsDestUserKern {
  Endpoint addr;
  int weight = 0;
  std::uint32_t u_threshold = 0;
  std::uint32_t l_threshold = 0;
};

// struct ip_vs_conn, the two fields the counters depend on.
struct IpVsConn {
  IpVsDest* dest = nullptr;
  unsigned flags = 0;
};

inline void ip_vs_dest_hold(IpVsDest* dest) { ++dest->refcnt; }
inline void ip_vs_dest_put(IpVsDest* dest) { --dest->refcnt; }
inline int ip_vs_dest_totalconns(const IpVsDest* dest) {
  return dest->activeconns + dest->inactconns;
}
inline int ip_vs_dest_conn_overhead(const IpVsDest* dest) {
  return (dest->activeconns << 8) + dest->inactconns;
}

// ip_vs_conn.c: ip_vs_bind_dest(), without the forwarding and sync flags.
inline void ip_vs_bind_dest(IpVsConn* cp, IpVsDest* dest) {
  ip_vs_dest_hold(dest);
  cp->flags |= dest->conn_flags;
  cp->dest = dest;
  if (!(cp->flags & IP_VS_CONN_F_TEMPLATE)) {
    if (!(cp->flags & IP_VS_CONN_F_INACTIVE))
      ++dest->activeconns;
    else
      ++dest->inactconns;
  } else {
    ++dest->persistconns;
  }
  // The kernel compares int with __u32: the int is converted, as here.
  if (dest->u_threshold != 0 &&
      static_cast<std::uint32_t>(ip_vs_dest_totalconns(dest)) >= dest->u_threshold)
    dest->flags |= IP_VS_DEST_F_OVERLOAD;
}

// ip_vs_conn.c: ip_vs_unbind_dest().
inline void ip_vs_unbind_dest(IpVsConn* cp) {
  IpVsDest* dest = cp->dest;
  if (!(cp->flags & IP_VS_CONN_F_TEMPLATE)) {
    if (cp->flags & IP_VS_CONN_F_INACTIVE)
      --dest->inactconns;
    else
      --dest->activeconns;
  } else {
    --dest->persistconns;
  }
  if (dest->l_threshold != 0) {
    if (static_cast<std::uint32_t>(ip_vs_dest_totalconns(dest)) < dest->l_threshold)
      dest->flags &= ~IP_VS_DEST_F_OVERLOAD;
  } else if (dest->u_threshold != 0) {
    if (static_cast<std::uint32_t>(ip_vs_dest_totalconns(dest)) * 4 < dest->u_threshold * 3)
      dest->flags &= ~IP_VS_DEST_F_OVERLOAD;
  } else {
    if (dest->flags & IP_VS_DEST_F_OVERLOAD) dest->flags &= ~IP_VS_DEST_F_OVERLOAD;
  }
  ip_vs_dest_put(dest);
}

// ip_vs_proto_tcp.c: set_tcp_state()'s counter moves for a state change to or from
// ESTABLISHED (the three-way handshake's last ACK; a FIN).
inline void set_tcp_state(IpVsConn* cp, bool new_state_established) {
  IpVsDest* dest = cp->dest;
  if (!(cp->flags & IP_VS_CONN_F_INACTIVE) && !new_state_established) {
    --dest->activeconns;
    ++dest->inactconns;
    cp->flags |= IP_VS_CONN_F_INACTIVE;
  } else if ((cp->flags & IP_VS_CONN_F_INACTIVE) && new_state_established) {
    ++dest->activeconns;
    --dest->inactconns;
    cp->flags &= ~IP_VS_CONN_F_INACTIVE;
  }
}

enum class Sched { rr, lc, wlc };

// struct ip_vs_service with its scheduler, and the netns's dest_trash.
class IpVsService {
 public:
  explicit IpVsService(Sched sched) : sched_(sched) { sched_data = &destinations; }
  IpVsService(const IpVsService&) = delete;
  IpVsService& operator=(const IpVsService&) = delete;

  // ip_vs_ctl.c: ip_vs_add_dest().
  int ip_vs_add_dest(const IpVsDestUserKern* udest) {
    if (udest->weight < 0) return -ERANGE;
    if (udest->l_threshold > udest->u_threshold) return -ERANGE;
    if (ip_vs_lookup_dest(udest->addr) != nullptr) return -EEXIST;
    IpVsDest* dest = ip_vs_trash_get_dest(udest->addr);
    if (dest != nullptr) {
      __ip_vs_update_dest(dest, udest, 1);
      return 0;
    }
    return ip_vs_new_dest(udest);
  }

  // ip_vs_ctl.c: ip_vs_edit_dest().
  int ip_vs_edit_dest(const IpVsDestUserKern* udest) {
    if (udest->weight < 0) return -ERANGE;
    if (udest->l_threshold > udest->u_threshold) return -ERANGE;
    IpVsDest* dest = ip_vs_lookup_dest(udest->addr);
    if (dest == nullptr) return -ENOENT;
    __ip_vs_update_dest(dest, udest, 0);
    return 0;
  }

  // ip_vs_ctl.c: ip_vs_del_dest().
  int ip_vs_del_dest(const IpVsDestUserKern* udest) {
    IpVsDest* dest = ip_vs_lookup_dest(udest->addr);
    if (dest == nullptr) return -ENOENT;
    __ip_vs_unlink_dest(dest, 1);
    __ip_vs_del_dest(dest);
    return 0;
  }

  // ip_vs_ctl.c: ip_vs_dest_trash_expire(), the trash timer's work at `now`.
  void ip_vs_dest_trash_expire(unsigned long now) {
    for (ListHead *p = dest_trash.next, *next = p->next; p != &dest_trash;
         p = next, next = p->next) {
      IpVsDest* dest = p->entry;
      if (dest->refcnt > 0) continue;
      if (dest->idle_start) {
        if (now < dest->idle_start + IP_VS_DEST_TRASH_PERIOD) continue;  // time_before()
      } else {
        dest->idle_start = std::max(1UL, now);
        continue;
      }
      list_del_rcu(&dest->t_list);
      dest->freed = true;  // ip_vs_dest_free()
    }
  }

  // ip_vs_ctl.c: ip_vs_lookup_dest(), the list walk (the kernel hashes; the answer is the same).
  IpVsDest* ip_vs_lookup_dest(const Endpoint& addr) {
    for (ListHead* p = destinations.next; p != &destinations; p = p->next) {
      if (p->entry->addr == addr) return p->entry;
    }
    return nullptr;
  }

  // The bound scheduler's schedule().
  IpVsDest* schedule() {
    switch (sched_) {
      case Sched::rr:
        return ip_vs_rr_schedule();
      case Sched::lc:
        return ip_vs_lc_schedule();
      case Sched::wlc:
        return ip_vs_wlc_schedule();
    }
    return nullptr;
  }

  // The list, head first, and the trash (for the comparison; not kernel code).
  std::vector<IpVsDest*> list() const {
    std::vector<IpVsDest*> out;
    for (ListHead* p = destinations.next; p != &destinations; p = p->next) out.push_back(p->entry);
    return out;
  }
  IpVsDest* in_trash(const Endpoint& addr) const {
    for (ListHead* p = dest_trash.next; p != &dest_trash; p = p->next) {
      if (p->entry->addr == addr) return p->entry;
    }
    return nullptr;
  }
  std::size_t referenced_in_trash() const {
    std::size_t n = 0;
    for (ListHead* p = dest_trash.next; p != &dest_trash; p = p->next) n += p->entry->refcnt > 0;
    return n;
  }

 private:
  // ip_vs_ctl.c: ip_vs_trash_get_dest() (one service: the service match always holds).
  IpVsDest* ip_vs_trash_get_dest(const Endpoint& addr) {
    for (ListHead* p = dest_trash.next; p != &dest_trash; p = p->next) {
      IpVsDest* dest = p->entry;
      if (dest->addr == addr) {
        list_del_rcu(&dest->t_list);
        ip_vs_dest_hold(dest);
        return dest;
      }
    }
    return nullptr;
  }

  // ip_vs_ctl.c: ip_vs_new_dest(): zeroed (kzalloc), one reference for the service list.
  int ip_vs_new_dest(const IpVsDestUserKern* udest) {
    allocated_.push_back(std::make_unique<IpVsDest>());
    IpVsDest* dest = allocated_.back().get();
    dest->addr = udest->addr;
    dest->activeconns = 0;
    dest->inactconns = 0;
    dest->persistconns = 0;
    dest->refcnt = 1;
    __ip_vs_update_dest(dest, udest, 1);
    return 0;
  }

  // ip_vs_ctl.c: __ip_vs_update_dest().
  void __ip_vs_update_dest(IpVsDest* dest, const IpVsDestUserKern* udest, int add) {
    dest->weight = udest->weight;
    dest->conn_flags = IP_VS_CONN_F_INACTIVE;  // | the forwarding method's bits
    dest->flags |= IP_VS_DEST_F_AVAILABLE;
    if (udest->u_threshold == 0 || udest->u_threshold > dest->u_threshold)
      dest->flags &= ~IP_VS_DEST_F_OVERLOAD;
    dest->u_threshold = udest->u_threshold;
    dest->l_threshold = udest->l_threshold;
    if (add) {
      list_add(&dest->n_list, &destinations);  // list_add_rcu()
      ++num_dests;
      // add_dest: none of rr, lc, wlc has one.
    }
    // upd_dest: likewise.
  }

  // ip_vs_ctl.c: __ip_vs_unlink_dest().
  void __ip_vs_unlink_dest(IpVsDest* dest, int svcupd) {
    dest->flags &= ~IP_VS_DEST_F_AVAILABLE;
    list_del_rcu(&dest->n_list);
    --num_dests;
    if (svcupd && sched_ == Sched::rr) ip_vs_rr_del_dest(dest);
  }

  // ip_vs_ctl.c: __ip_vs_del_dest(): into the trash, the list's reference dropped.
  void __ip_vs_del_dest(IpVsDest* dest) {
    list_add(&dest->t_list, &dest_trash);
    dest->idle_start = 0;
    ip_vs_dest_put(dest);
  }

  // ip_vs_rr.c: ip_vs_rr_del_dest().
  void ip_vs_rr_del_dest(IpVsDest* dest) {
    ListHead* p = sched_data;
    if (p == &dest->n_list) sched_data = p->next->prev;
  }

  // ip_vs_rr.c: ip_vs_rr_schedule().
  IpVsDest* ip_vs_rr_schedule() {
    ListHead* p = sched_data;
    ListHead* last = p;  // last = dest = list_entry(p, ...)
    ListHead* pos = p;
    int pass = 0;
    do {
      // list_for_each_entry_continue_rcu(dest, &svc->destinations, n_list)
      for (pos = pos->next; pos != &destinations; pos = pos->next) {
        IpVsDest* dest = pos->entry;
        if (!(dest->flags & IP_VS_DEST_F_OVERLOAD) && dest->weight > 0) {
          sched_data = &dest->n_list;  // out:
          return dest;
        }
        if (pos == last) return nullptr;  // goto stop
      }
      pass++;
    } while (pass < 2 && p != &destinations);
    return nullptr;
  }

  // ip_vs_lc.c: ip_vs_lc_schedule().
  IpVsDest* ip_vs_lc_schedule() {
    IpVsDest* least = nullptr;
    unsigned int loh = 0, doh;
    for (ListHead* p = destinations.next; p != &destinations; p = p->next) {
      IpVsDest* dest = p->entry;
      if ((dest->flags & IP_VS_DEST_F_OVERLOAD) || dest->weight == 0) continue;
      doh = static_cast<unsigned int>(ip_vs_dest_conn_overhead(dest));
      if (!least || doh < loh) {
        least = dest;
        loh = doh;
      }
    }
    return least;
  }

  // ip_vs_wlc.c: ip_vs_wlc_schedule().
  IpVsDest* ip_vs_wlc_schedule() {
    IpVsDest* least = nullptr;
    int loh, doh;
    ListHead* p = destinations.next;
    for (; p != &destinations; p = p->next) {
      IpVsDest* dest = p->entry;
      if (!(dest->flags & IP_VS_DEST_F_OVERLOAD) && dest->weight > 0) {
        least = dest;
        break;  // goto nextstage
      }
    }
    if (least == nullptr) return nullptr;
    loh = ip_vs_dest_conn_overhead(least);
    for (p = p->next; p != &destinations; p = p->next) {  // list_for_each_entry_continue_rcu
      IpVsDest* dest = p->entry;
      if (dest->flags & IP_VS_DEST_F_OVERLOAD) continue;
      doh = ip_vs_dest_conn_overhead(dest);
      if (static_cast<std::int64_t>(loh) * dest->weight >
          static_cast<std::int64_t>(doh) * least->weight) {
        least = dest;
        loh = doh;
      }
    }
    return least;
  }

  Sched sched_;
  ListHead destinations;  // svc->destinations
  ListHead dest_trash;    // ipvs->dest_trash
  ListHead* sched_data;   // rr: the last chosen server's n_list, or the list head
  int num_dests = 0;
  std::vector<std::unique_ptr<IpVsDest>> allocated_;  // every dest ever made, freed or not
};

}  // namespace lvs::test::kernel
