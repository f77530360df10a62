// twos: mainline net/netfilter/ipvs/ip_vs_twos.c, "Power of Twos Choice". Two servers drawn at
// random with probability proportional to weight, and the less loaded of the two (overhead /
// weight, compared by cross-multiplication) wins; on a tie the first draw.
//
// The kernel, per decision (ip_vs_twos_schedule()):
//   1. total = sum of the weights of the servers that are not overloaded and have weight > 0
//      (none: no server); then total += 1.
//   2. r1 = get_random_u32_below(total), then r2 = get_random_u32_below(total) — the order in
//      which the random stream is consumed.
//   3. Walk the list from the head over those servers, subtracting each weight from r1 and r2;
//      choice1 is the first server where r1 <= 0, choice2 the first where r2 <= 0.
//   4. choice2 if weight2 * overhead1 > weight1 * overhead2, else choice1, with
//      overhead = ip_vs_dest_conn_overhead() = (activeconns << 8) + inactconns.
// (r is in [0, total] after the +1, and r = 0 stops at the first server as r = 1 does: the list's
// first eligible server gets weight + 1 shares of total + 1. A kernel quirk, kept.)
// All of it in C `int`, and the kernel is built with -fno-strict-overflow, so sums and products
// wrap modulo 2^32: weight 65535 times the overhead of 128 active connections already does, and
// then the kernel's comparison is the wrapped one. This class computes the same wrapped values.
// Where the kernel tests IP_VS_DEST_F_OVERLOAD we test Destination::blocked() (overloaded or a
// dead host), as every scheduler here does.
//
// Step 3 is a walk over the list (O(n)). Here a FenwickTree over the servers' list positions holds
// each server's weight where the kernel would count it (not blocked, weight > 0; else 0), so
// "the first server where the running sum reaches r" is found in O(log n) — the same server. The
// tree is kept by the hooks: a counter change costs O(1) unless it flips the overload or dead
// flag (then O(log n)); -a appends in O(log n), -d leaves a hole and the tree is rebuilt once
// the holes outnumber the servers. Only when the eligible weights add up to more than INT_MAX,
// where the kernel's `int` total wraps, is the decision the kernel's own walk
// (twos_schedule_by_walk(), wrap included).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sched/fenwick_tree.h"
#include "sched/random_source.h"
#include "sched/scheduler.h"

namespace lvs {

class PowerOfTwoChoices final : public Scheduler {
 public:
  // `random` is this scheduler's get_random_u32() stream; it is drawn from only by schedule().
  explicit PowerOfTwoChoices(std::unique_ptr<RandomSource> random);
  std::string_view name() const override { return "twos"; }

  // --- Scheduler ---
  void init_service(DestinationList list) override;
  void destination_added(DestinationList list, Destination& dest) override;
  void destination_removed(DestinationList list, Destination& dest, std::size_t old_index) override;
  void destination_updated(DestinationList list, Destination& dest) override;
  void load_changed(Destination& dest) override;
  Destination* schedule(DestinationList list, const PacketInfo& packet, TimeMs now) override;

  // For the tests: the indexed weight of every server of `list`, checked against the list.
  bool index_matches(DestinationList list) const;

 private:
  // The weight the kernel counts for `d` in both walks: 0 if it skips it.
  static std::int32_t counted_weight(const Destination& d) {
    return d.blocked() || d.weight <= 0 ? 0 : d.weight;
  }
  // The server that holds unit `r` of the walk from the head (r in [0, total]).
  Destination* at_running_sum(std::int64_t r) const;
  void refresh(Destination& dest);
  void rebuild(DestinationList list);

  std::unique_ptr<RandomSource> random_;
  // Slots in link order: slot 0 is the list's tail, each -a appends (the kernel links at the
  // head), so list order is descending slot. Destination::sched_slot is a server's slot; a
  // deleted server leaves a hole (nullptr, weight 0) until the next rebuild.
  std::vector<Destination*> slots_;
  std::vector<std::int32_t> weights_;  // counted_weight() of each slot as the tree holds it
  FenwickTree tree_;
  std::size_t holes_ = 0;
};

// ip_vs_twos_schedule() as the kernel runs it: two walks of the list, `int` arithmetic wrapping
// modulo 2^32. schedule() uses it when the eligible weights overflow `int`; the benchmark measures
// it as the O(n) reference.
Destination* twos_schedule_by_walk(DestinationList list, RandomSource& random);

}  // namespace lvs
