#include "sched/power_of_two_choices.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace lvs {
namespace {

// C `int` arithmetic as the kernel compiles it (-fno-strict-overflow): modulo 2^32. C++20 defines
// the conversion back to int32 as modular, so these are exact, not undefined.
std::int32_t wrap_add(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
std::int32_t wrap_sub(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}
std::int32_t wrap_mul(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) * static_cast<std::uint32_t>(b));
}

// ip_vs_dest_conn_overhead(), which returns `int`: the same 32 bits as Destination::overhead().
std::int32_t conn_overhead(const Destination& d) { return static_cast<std::int32_t>(d.overhead()); }

// The last step of ip_vs_twos_schedule(): the second choice wins only if strictly less loaded,
// weight2 * overhead1 > weight1 * overhead2 in wrapping `int`.
bool second_is_less_loaded(std::int32_t weight1, std::int32_t overhead1, std::int32_t weight2,
                           std::int32_t overhead2) {
  return wrap_mul(weight2, overhead1) > wrap_mul(weight1, overhead2);
}

}  // namespace

PowerOfTwoChoices::PowerOfTwoChoices(std::unique_ptr<RandomSource> random)
    : random_(std::move(random)) {}

void PowerOfTwoChoices::init_service(DestinationList list) { rebuild(list); }

void PowerOfTwoChoices::destination_added(DestinationList, Destination& dest) {
  // list_add_rcu() links it at the head: the highest slot.
  dest.sched_slot = static_cast<std::uint32_t>(slots_.size());
  const std::int32_t weight = counted_weight(dest);
  slots_.push_back(&dest);
  weights_.push_back(weight);
  tree_.push_back(weight);
}

void PowerOfTwoChoices::destination_removed(DestinationList list, Destination& dest, std::size_t) {
  const std::uint32_t slot = dest.sched_slot;
  if (slot >= slots_.size() || slots_[slot] != &dest) return;
  tree_.add(slot, -std::int64_t{weights_[slot]});
  weights_[slot] = 0;
  slots_[slot] = nullptr;
  dest.sched_slot = Destination::kNoSlot;
  // Holes cost nothing to a decision (weight 0 is never found) but memory and log n: once they
  // outnumber the servers, start again from the list (O(n), amortised O(1) per -d).
  if (++holes_ > list.size()) rebuild(list);
}

void PowerOfTwoChoices::destination_updated(DestinationList, Destination& dest) { refresh(dest); }

void PowerOfTwoChoices::load_changed(Destination& dest) {
  // A server in the trash is not in the list: it must not come back through its counters.
  if (!dest.available) return;
  refresh(dest);
}

void PowerOfTwoChoices::refresh(Destination& dest) {
  const std::uint32_t slot = dest.sched_slot;
  if (slot >= slots_.size() || slots_[slot] != &dest) return;
  const std::int32_t weight = counted_weight(dest);
  // Most counter changes leave the overload and dead flags as they were: nothing to do.
  if (weight == weights_[slot]) return;
  tree_.add(slot, std::int64_t{weight} - weights_[slot]);
  weights_[slot] = weight;
}

void PowerOfTwoChoices::rebuild(DestinationList list) {
  slots_.clear();
  weights_.clear();
  tree_.clear();
  holes_ = 0;
  for (std::size_t i = list.size(); i-- > 0;) destination_added(list.subspan(i), *list[i]);
}

Destination* PowerOfTwoChoices::at_running_sum(std::int64_t r) const {
  // The kernel subtracts weights from r along the list and stops where r <= 0: at the server
  // whose running sum from the head first reaches r (r = 0 stops at the first server, as r = 1
  // does). Running sums from the head are total minus prefix sums from the tail, so that server
  // holds tail-side unit total - r + 1: the first slot whose prefix sum reaches it.
  const std::int64_t unit = tree_.total() - std::max<std::int64_t>(r, 1) + 1;
  return slots_[tree_.lower_bound(unit)];
}

Destination* PowerOfTwoChoices::schedule(DestinationList list, const PacketInfo&, TimeMs) {
  const std::int64_t total = tree_.total();
  if (total == 0) return nullptr;  // "no destination available"
  // The kernel's `int` total would wrap: no shortcut is exact there, so do what it does.
  if (total > std::numeric_limits<std::int32_t>::max()) {
    return twos_schedule_by_walk(list, *random_);
  }
  // total + 1 <= 2^31 is the kernel's ceil (at total = INT_MAX its `int` is INT_MIN, the same 32
  // bits). Both draws are in [0, total], so its subtractions stay in range and never wrap.
  const auto ceil = static_cast<std::uint32_t>(total + 1);
  const std::uint32_t r1 = random_u32_below(*random_, ceil);
  const std::uint32_t r2 = random_u32_below(*random_, ceil);
  Destination* choice1 = at_running_sum(r1);
  Destination* choice2 = at_running_sum(r2);
  if (second_is_less_loaded(choice1->weight, conn_overhead(*choice1), choice2->weight,
                            conn_overhead(*choice2))) {
    return choice2;
  }
  return choice1;
}

bool PowerOfTwoChoices::index_matches(DestinationList list) const {
  std::int64_t total = 0;
  std::size_t linked = 0;
  for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
    const std::int64_t below = slot == 0 ? 0 : tree_.prefix(slot - 1);
    if (tree_.prefix(slot) - below != weights_[slot]) return false;
    if (slots_[slot] == nullptr) {
      if (weights_[slot] != 0) return false;
      continue;
    }
    ++linked;
    if (slots_[slot]->sched_slot != slot) return false;
    if (weights_[slot] != counted_weight(*slots_[slot])) return false;
    total += weights_[slot];
  }
  if (linked != list.size() || total != tree_.total()) return false;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::uint32_t slot = list[i]->sched_slot;
    if (slot >= slots_.size() || slots_[slot] != list[i]) return false;
    if (i > 0 && slot >= list[i - 1]->sched_slot) return false;  // head first: slots descend
  }
  return true;
}

Destination* twos_schedule_by_walk(DestinationList list, RandomSource& random) {
  Destination* choice1 = nullptr;
  Destination* choice2 = nullptr;
  std::int32_t total = 0;
  for (Destination* d : list) {
    if (!d->blocked() && d->weight > 0) {
      total = wrap_add(total, d->weight);
      choice1 = d;  // the kernel leaves the last one here; it is returned if r1 never reaches 0
    }
  }
  if (choice1 == nullptr) return nullptr;
  total = wrap_add(total, 1);
  // get_random_u32_below() takes a u32: the `int` total's 32 bits (0 when it wrapped to -1 + 1).
  auto r1 = static_cast<std::int32_t>(random_u32_below(random, static_cast<std::uint32_t>(total)));
  auto r2 = static_cast<std::int32_t>(random_u32_below(random, static_cast<std::uint32_t>(total)));

  std::int32_t weight1 = -1;
  std::int32_t weight2 = -1;
  std::int32_t overhead1 = 0;
  std::int32_t overhead2 = 0;
  for (Destination* d : list) {
    if (d->blocked() || d->weight <= 0) continue;
    r1 = wrap_sub(r1, d->weight);
    r2 = wrap_sub(r2, d->weight);
    if (r1 <= 0 && weight1 == -1) {
      choice1 = d;
      weight1 = d->weight;
      overhead1 = conn_overhead(*d);
    }
    if (r2 <= 0 && weight2 == -1) {
      choice2 = d;
      weight2 = d->weight;
      overhead2 = conn_overhead(*d);
    }
    if (weight1 != -1 && weight2 != -1) break;
  }
  if (choice2 != nullptr && second_is_less_loaded(weight1, overhead1, weight2, overhead2)) {
    return choice2;
  }
  return choice1;
}

}  // namespace lvs
