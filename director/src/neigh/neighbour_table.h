// The director's own neighbour table: real server IPv4 -> link-layer address, with the Linux
// neighbouring subsystem's NUD state machine (net/core/neighbour.c, net/ipv4/arp.c, mainline).
//
// Why the director keeps its own table instead of asking the kernel's: it sends through
// AF_PACKET, which bypasses the kernel's neighbour layer, and it must be able to count, queue
// and drop packets for an unresolved server without a syscall per packet.
//
// Pure: no sockets, no clock, no logging. Time comes in as `now` (milliseconds, any epoch);
// randomness (the reachable-time draw) from an injected source. Calls that can act append
// NeighbourEvents (neighbour_events.h) for the caller to execute: send an ARP request, forward
// released packets, log a MAC change or a possible spoof, mark a dead host.
//
// States and transitions (kernel names; T = timer, P = a packet to send, A = ARP received):
//   NONE/FAILED --P--> INCOMPLETE   probes := ucast_solicit, so the next mcast_solicit requests
//                                   are broadcasts, one at once and then every retrans_time
//   INCOMPLETE  --A reply to us--> REACHABLE (queued packets released, in order)
//   INCOMPLETE  --A request/bcast reply/garp--> STALE (released too: STALE is usable)
//   INCOMPLETE  --T, solicits used up--> FAILED (queue dropped, res_failed)   [3 s by default]
//   REACHABLE   --T, confirmed + reachable_time passed--> DELAY if used within
//                  delay_first_probe_time, else STALE
//   STALE       --P--> DELAY (timer delay_first_probe_time)
//   DELAY       --T--> REACHABLE if confirmed meanwhile, else PROBE (probes := 0, first unicast
//                  probe at once, then every retrans_time)
//   PROBE       --T, ucast_solicit + app_solicit + mcast_resolicit used up--> FAILED
//   DELAY/PROBE/STALE --A reply to us--> REACHABLE; a request or broadcast reply with the same
//                  lladdr leaves the state as it is (new STALE + same lladdr => unchanged)
//   PERMANENT, NOARP: never changed by ARP or timers; only the admin calls change them.
// A reachable time is drawn in [base/2, 3*base/2) (neigh_rand_reach_time()), table-wide, and
// re-drawn by the periodic work every 300 s, as Linux does.
//
// Received ARP (arp_process()): targets that are multicast or loopback are ignored; sender
// 0.0.0.0 (a DAD probe) creates nothing. A request for one of our addresses creates or updates
// the sender's entry as STALE with override (neigh_event_ns()). Any other request or reply only
// updates an existing entry, unless arp_accept=1, which lets unsolicited replies and gratuitous
// ARP create one. A unicast reply to our MAC asserts REACHABLE; requests and broadcast replies
// give STALE. Override (a different lladdr replaces the cached one) only when more than locktime
// has passed since the entry's last update, or the packet is gratuitous (sender IP == target IP;
// for a reply also sender MAC == target MAC).
//
// Garbage collection (neigh_periodic_work(), neigh_forced_gc(), neigh_alloc()): every
// base_reachable_time/2 the periodic work — only when the table holds gc_thresh1 entries or more —
// removes entries that are FAILED or unused for gc_stale_time. Creating an entry with gc_thresh3
// or more collectable entries, or gc_thresh2 or more and no forced GC in the last 5 s, first runs
// a forced GC (oldest first: FAILED, NOARP, or not updated for 5 s, until back at gc_thresh2);
// if that frees nothing and the table is at gc_thresh3, the entry is refused (table_fulls).
// PERMANENT entries never count toward the thresholds and are never collected; entries with a
// running timer (INCOMPLETE, REACHABLE, DELAY, PROBE) are held by it and skipped, as in Linux.
//
// Deliberately different from Linux:
// - Dead hosts: an address whose resolution failed (INCOMPLETE or PROBE ran out of solicitations,
//   a NeighbourFailed event) is a dead host until it resolves again (NeighbourResolved with
//   was_failed). The table is the one owner of that fact: is_failed() and failed_generation() are
//   what the director's dead-host policy (balancer/dead_host_policy.h) applies to the services.
//   The mark belongs to the address, not the entry: it survives the entry going INCOMPLETE again
//   (a re-probe), being garbage-collected, flushed or deleted, so a dead host cannot be
//   forgotten by housekeeping. Linux re-resolves a FAILED entry on the next packet; so do we, and
//   the policy calls resolve() for each dead host now and then to bring it back.
// - lookups/hits count calls of lookup()/resolve() and those that returned a usable lladdr (the
//   kernel's hits counts entries found in the hash, usable or not).
// - rcv_probes_mcast/ucast count ARP requests for our addresses by their Ethernet destination;
//   the kernel counts these for IPv6 neighbour solicitations only (always 0 for ARP).
// - Senders with a multicast, broadcast or zero MAC are ignored (Linux would cache them).
// - The forced GC has no 1 ms time budget, and there is no arpd (app_solicit stays 0).
// - Packets dropped because resolution failed or the entry was removed are counted in
//   unres_drops; Linux counts only queue overflows (unresolved_discards) and answers the failed
//   ones with ICMP host unreachable, which a DR director does not send.
// - arpwatch: a replaced lladdr gives an LladdrChanged event and lladdr_changes; a PERMANENT
//   entry contradicted by ARP, or a second lladdr inside locktime, gives a PossibleSpoof event.
// - Timers are fields of the entries, scanned by run_timers()/next_timer() in O(entries): at
//   gc_thresh3 (1024) that is microseconds, so no timer wheel. One thread owns the table.
//
// Hardening (issue 12), in force once the owner calls set_wanted() — the director always does,
// the Linux-rule tests do not. The director only ever sends to addresses it chose: the wanted
// set (every configured real server; the balancer gives it) and the entries an administrator
// made (`lvsadm neigh add`, `mac:`). So:
// - ARP creates an entry only for a wanted address. ARP from any other sender with no entry is
//   ignored and counted (unwanted_arp): a flood of spoofed senders allocates nothing. (Linux's
//   arp_process() -> neigh_event_ns() creates an entry for every sender of a request for us.)
// - An entry is "in use" (the kernel's refcnt > 1) when its address is wanted, when packets wait
//   in its queue, or when it is PERMANENT; neither GC removes an entry in use (neigh_forced_gc()
//   and neigh_periodic_work() skip refcnt > 1), and a wanted address is never refused by the
//   gc_thresh3 limit (the configuration bounds them, as it bounds PERMANENT entries).
// - A different MAC claimed for a wanted address whose entry holds a usable MAC (NUD_VALID, not
//   static) is not believed on the spot, whatever locktime says (Linux: arp_process() sets
//   override when locktime has passed or the packet is gratuitous, and __neigh_update() then
//   replaces the lladdr — one forged reply moves the server). Instead a change check starts:
//   traffic keeps going to the old MAC, and unicast probes go to the old MAC, one at once and
//   then every retrans_time, ucast_solicit of them (at least one). If anything arrives from the
//   old MAC for that address before the last probe's retrans_time is up, the old MAC is alive:
//   the change is rejected (lladdr_changes_rejected) and, for base_reachable_time, further
//   claims of another MAC are refused without new probes (a flood costs ucast_solicit probes per
//   base_reachable_time, not one per packet). If the old MAC stays silent, the change is
//   accepted (lladdr_changes_confirmed): the entry takes the new MAC as STALE, so its next use
//   probes the new MAC (DELAY -> PROBE) like any other STALE entry. A reply from the new MAC
//   proves nothing (the attacker answers too), so it does not shorten the check. Claims arriving
//   while a check runs or during the hold are refused and counted (lladdr_claims_refused) with a
//   PossibleSpoof event. If the entry's own PROBE runs out of unicast probes to the old MAC
//   while a check runs, that silence is the same evidence: the change is accepted then, instead
//   of the entry going FAILED (a real server that moved is not marked dead). If the entry is
//   removed or pinned by an administrator meanwhile, the check is dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "config/net_address.h"
#include "model/time_ms.h"
#include "neigh/neigh_params.h"
#include "neigh/neighbour_events.h"
#include "neigh/nud_state.h"
#include "neigh/unresolved_queue.h"

namespace lvs {

struct NeighbourEntry {
  MacAddress lladdr{};
  NudState state = NudState::None;
};

// A PERMANENT entry wanted by the configuration.
struct PermanentNeighbour {
  Ipv4 ip = 0;
  MacAddress lladdr{};
};

// Counters with the kernel's names: every /proc/net/stat/arp_cache column (struct
// neigh_statistics plus the entries gauge), then our own.
struct NeighbourStats {
  std::uint64_t entries = 0;  // a gauge: entries in the table now
  std::uint64_t allocs = 0;
  std::uint64_t destroys = 0;
  std::uint64_t hash_grows = 0;
  std::uint64_t lookups = 0;
  std::uint64_t hits = 0;
  std::uint64_t res_failed = 0;  // resolutions that ended FAILED
  std::uint64_t rcv_probes_mcast = 0;
  std::uint64_t rcv_probes_ucast = 0;
  std::uint64_t periodic_gc_runs = 0;
  std::uint64_t forced_gc_runs = 0;
  std::uint64_t unres_discards = 0;  // queued packets dropped because the queue was full
  std::uint64_t table_fulls = 0;
  // Not in the kernel:
  std::uint64_t lladdr_changes = 0;  // an entry's lladdr replaced (arpwatch)
  std::uint64_t unres_drops = 0;     // queued packets dropped other than by overflow
  std::uint64_t spoof_suspects = 0;  // PossibleSpoof events
  // Hardening (set_wanted(); see above):
  std::uint64_t unwanted_arp = 0;              // ARP from a sender with no entry, not wanted
  std::uint64_t gc_skipped_in_use = 0;         // forced-GC candidates kept because in use
  std::uint64_t lladdr_change_checks = 0;      // change checks started (probes to the old MAC)
  std::uint64_t lladdr_change_probes = 0;      // unicast probes sent to an old MAC
  std::uint64_t lladdr_changes_rejected = 0;   // checks the old MAC answered: change refused
  std::uint64_t lladdr_changes_confirmed = 0;  // checks the old MAC did not answer: accepted
  std::uint64_t lladdr_claims_refused = 0;     // claims refused while a check ran or held
};

// One received ARP packet as arp_process() reads it, plus what only the caller knows about its
// own addresses. Build it with arp_observation() (arp_observation.h) from a parsed frame.
struct ArpObservation {
  bool is_reply = false;  // ARPOP_REPLY; otherwise ARPOP_REQUEST
  MacAddress sender_mac{};
  Ipv4 sender_ip = 0;
  MacAddress target_mac{};
  Ipv4 target_ip = 0;
  bool to_us = false;           // Ethernet destination is our MAC (PACKET_HOST), not broadcast
  bool target_is_ours = false;  // target_ip is an address of ours (interface address, a VIP)
  bool sender_is_ours = false;  // sender_ip is an address of ours: someone claims it
};

// What receive_arp() did with a packet, for counters and logs.
enum class ArpVerdict : std::uint8_t {
  IgnoredTarget,   // multicast or loopback target
  DadProbe,        // sender IP 0.0.0.0: an address probe, caches nothing
  IgnoredSender,   // sender IP not unicast or ours, or sender MAC multicast/zero
  NotCached,       // no entry, and this packet may not create one (arp_accept=0)
  Created,         // a new entry
  Updated,         // state or lladdr changed
  Unchanged,       // nothing changed (perhaps confirmed)
  Refused,         // contradicts a static entry or arrived within locktime: PossibleSpoof
  TableFull,       // would have created an entry, but the table is at gc_thresh3
  Unwanted,        // no entry and the sender is not an address we forward to (set_wanted())
  ChangeChecking,  // another MAC claimed for a wanted address: a change check started
};
std::string_view arp_verdict_name(ArpVerdict verdict);  // "ignored_target", ...

enum class ResolveStatus : std::uint8_t {
  Usable,     // send to *lladdr now
  Pending,    // INCOMPLETE: the packet (if given) is queued until resolution
  Failed,     // cannot resolve (mcast_solicit + app_solicit is 0): drop
  TableFull,  // no entry could be created: drop
};

struct Resolution {
  const MacAddress* lladdr = nullptr;  // set only when Usable; valid until the table changes
  ResolveStatus status = ResolveStatus::Failed;
};

class NeighbourTable {
 public:
  // The reachable-time draw: a uniform 32-bit value. Empty: seeded once from std::random_device.
  using RandomSource = std::function<std::uint32_t()>;

  explicit NeighbourTable(NeighbourParams params = {}, RandomSource random = {});

  // --- The packet path ---

  // The usable MAC for `ip` (an entry in a NUD_VALID state), or nullptr. One hash lookup, no
  // allocation, no state change: the config-only path and tests use it. The pointer is valid
  // until the table is next modified.
  const MacAddress* lookup(Ipv4 ip);

  // neigh_event_send() for a packet to `ip`: marks the entry used, starts resolution for an
  // unknown or FAILED neighbour (SolicitRequest events), moves STALE to DELAY, and while
  // INCOMPLETE queues a copy of `packet` (if not empty). One hash lookup and no allocation when
  // the entry is usable.
  Resolution resolve(Ipv4 ip, TimeMs now, NeighbourEvents& events,
                     std::span<const std::uint8_t> packet = {});

  // --- Dead hosts (see above) ---

  // Whether `ip` is a dead host: its last resolution failed and it has not resolved since.
  bool is_failed(Ipv4 ip) const;
  // Changes whenever an address becomes or stops being a dead host, so a reader can cache its
  // view and look again only when this moves.
  std::uint64_t failed_generation() const { return failed_generation_; }
  // The dead hosts, in the order they died.
  const std::vector<Ipv4>& failed_hosts() const { return failed_; }
  // Forgets the dead hosts for which `keep(ip)` is false (servers no longer configured); returns
  // how many.
  template <typename Keep>
  std::size_t retain_failed(Keep&& keep) {
    const std::size_t removed = std::erase_if(failed_, [&](Ipv4 ip) { return !keep(ip); });
    if (removed != 0) ++failed_generation_;
    return removed;
  }

  // --- The addresses the director forwards to (see "Hardening" above) ---

  // Makes `addresses` the wanted set (duplicates allowed) and turns the hardening rules on.
  // Checks running for addresses no longer wanted are dropped.
  void set_wanted(const std::vector<Ipv4>& addresses);
  bool wanted(Ipv4 ip) const { return restricted_ && wanted_.contains(ip); }
  // Whether a change check runs for `ip` now, and the MAC it would move to.
  std::optional<MacAddress> change_candidate(Ipv4 ip) const;

  // --- Input (arp_input.cpp) ---

  // arp_process()'s table part for one received ARP packet.
  ArpVerdict receive_arp(const ArpObservation& arp, TimeMs now, NeighbourEvents& events);

  // --- Timers (nud_machine.cpp) ---

  // Runs every per-entry timer due at `now` and the periodic work (GC, reachable-time re-draw).
  void run_timers(TimeMs now, NeighbourEvents& events);
  // When run_timers() next has something to do (for a timerfd); nullopt before the first call
  // of anything that takes `now`.
  std::optional<TimeMs> next_timer() const;

  // --- Administration (`ip neigh replace/del/flush`: NEIGH_UPDATE_F_ADMIN; neighbour_admin.cpp)
  // ---

  // Adds or overwrites an entry in `state` (Permanent, Noarp, Reachable or Stale); false for
  // another state or when the table is full. Resolving an INCOMPLETE entry this way releases its
  // queue (a NeighbourResolved event).
  bool admin_set(Ipv4 ip, const MacAddress& lladdr, NudState state, TimeMs now,
                 NeighbourEvents& events);
  // Removes the entry (queued packets dropped, counted in unres_drops); false if there was none.
  bool remove(Ipv4 ip);
  // Removes every entry except PERMANENT ones (unless `include_permanent`), as `ip neigh flush`;
  // returns how many.
  std::size_t flush(bool include_permanent = false);

  // Makes the PERMANENT entries exactly `wanted`: adds and updates those listed, removes
  // PERMANENT entries no longer listed. Entries in other states (learned by ARP) are left
  // alone unless `wanted` names their IP, which pins them. Returns the number of changes.
  std::size_t replace_permanent(const std::vector<PermanentNeighbour>& wanted, TimeMs now,
                                NeighbourEvents& events);

  // Replaces the parameters and re-draws the reachable time (as a sysctl write does).
  void set_params(const NeighbourParams& params);
  const NeighbourParams& params() const { return params_; }
  // The current table-wide reachable time, ms.
  std::uint32_t reachable_time_ms() const { return reachable_time_; }

  // --- Reading ---

  const NeighbourEntry* find(Ipv4 ip) const;
  std::size_t size() const { return slots_.size(); }
  const NeighbourStats& stats() const { return stats_; }
  // Entries sorted by IP (for listings; not for the packet path).
  std::vector<std::pair<Ipv4, NeighbourEntry>> entries() const;
  // Packets waiting for `ip` (0 if none or no entry).
  std::size_t queued(Ipv4 ip) const;
  // Probes sent in the current INCOMPLETE/PROBE round (the kernel's neigh->probes).
  std::uint32_t probes(Ipv4 ip) const;

 private:
  using Ms = std::int64_t;  // signed: "long ago" (confirmed = now - 2*base) must not wrap

  static constexpr Ms kHz100Ms = 10;                // HZ/100: the shortest timer
  static constexpr Ms kForcedGcSpacingMs = 5000;    // 5 * HZ in neigh_alloc/neigh_forced_gc
  static constexpr Ms kReachableRedrawMs = 300000;  // 300 * HZ in neigh_periodic_work

  struct Slot {
    NeighbourEntry entry;
    bool has_lladdr = false;  // entry.lladdr holds a real address (kept across FAILED, as ha)
    Ms confirmed = 0;         // last proof of reachability
    Ms used = 0;              // last packet sent through it
    Ms updated = 0;           // last change of state or lladdr (locktime, forced GC)
    bool timer_armed = false;
    Ms timer_due = 0;
    std::uint32_t probes = 0;
    std::uint64_t order = 0;  // creation order: the kernel's gc_list
    UnresolvedQueue queue;
    // A change check (see "Hardening"): the claimed MAC, probes sent to the old one, when the
    // next probe (or the verdict) is due.
    std::optional<MacAddress> candidate;
    std::uint32_t check_probes = 0;
    Ms check_due = 0;
    Ms change_hold_until = 0;  // after a rejected change: refuse other MACs without probing
  };
  using Slots = std::unordered_map<Ipv4, Slot>;

  struct UpdateFlags {
    bool override_lladdr = false;  // NEIGH_UPDATE_F_OVERRIDE
    bool admin = false;            // NEIGH_UPDATE_F_ADMIN
  };
  enum class UpdateResult : std::uint8_t { Changed, Unchanged, RefusedStatic, RefusedLocktime };

  // neighbour_table.cpp
  void observe(Ms now);  // the first `now` starts the periodic work's clock
  void set_state(Slot& s, NudState state);
  bool mark_failed(Ipv4 ip);   // true if it was not a dead host yet
  bool clear_failed(Ipv4 ip);  // true if it was a dead host
  std::uint32_t draw_reachable_time();
  Ms reachable() const { return reachable_time_; }
  // nud_machine.cpp
  UpdateResult update(Ipv4 ip, Slot& s, const MacAddress& lladdr, NudState new_state,
                      UpdateFlags flags, Ms now, NeighbourEvents& events);  // __neigh_update
  void timer_fired(Ipv4 ip, Slot& s, Ms now, NeighbourEvents& events);      // neigh_timer_handler
  void probe(Ipv4 ip, Slot& s, NeighbourEvents& events);                    // neigh_probe + solicit
  void invalidate(Ipv4 ip, Slot& s, NudState from, NeighbourEvents& events);
  std::uint32_t max_probes(NudState state) const;
  // change_check.cpp
  ArpVerdict claim_change(Ipv4 ip, Slot& s, const MacAddress& claimed, Ms now,
                          NeighbourEvents& events);
  void old_lladdr_answered(Ipv4 ip, Slot& s, Ms now, NeighbourEvents& events);
  void check_timer(Ipv4 ip, Slot& s, Ms now, NeighbourEvents& events);
  void accept_change(Ipv4 ip, Slot& s, Ms now, NeighbourEvents& events);
  bool in_use(Ipv4 ip, const Slot& s) const;  // the kernel's refcnt > 1
  // neighbour_gc.cpp
  Slot* create(Ipv4 ip, Ms now, bool exempt_from_gc);  // neigh_alloc
  std::size_t forced_gc(Ms now);
  void periodic_work(Ms now);
  void erase(Slots::iterator it);

  NeighbourParams params_;
  RandomSource random_;
  std::uint32_t reachable_time_ = 0;
  Slots slots_;
  NeighbourStats stats_;
  std::size_t permanent_entries_ = 0;
  std::uint64_t next_order_ = 0;
  std::vector<Ipv4> failed_;  // dead hosts: a few real servers at most, so a vector
  std::uint64_t failed_generation_ = 0;
  std::optional<Ms> next_periodic_;
  Ms last_rand_ = 0;
  Ms last_flush_ = 0;
  bool flushed_ = false;     // no forced GC yet: the 5 s spacing does not apply
  bool restricted_ = false;  // set_wanted() was called: the hardening rules apply
  std::unordered_set<Ipv4> wanted_;
};

}  // namespace lvs
