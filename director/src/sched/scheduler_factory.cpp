// make_scheduler(): the one place that maps ipvsadm's scheduler names to classes.
#include <array>

#include "sched/destination_hashing.h"
#include "sched/least_connection.h"
#include "sched/locality_based_least_connection.h"
#include "sched/locality_based_least_connection_replication.h"
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

namespace lvs {

namespace {
constexpr std::array<std::string_view, 14> kNames = {
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"};
}  // namespace

std::span<const std::string_view> scheduler_names() { return kNames; }

void Scheduler::init_service(DestinationList list) {
  for (std::size_t i = list.size(); i-- > 0;) {
    destination_added(list.subspan(i), *list[i]);
  }
}

std::unique_ptr<Scheduler> make_scheduler(std::string_view name, SchedulerFlags flags,
                                          std::uint64_t random_seed) {
  if (name == "rr") return std::make_unique<RoundRobin>();
  if (name == "wrr") return std::make_unique<WeightedRoundRobin>();
  if (name == "lc") return std::make_unique<LeastConnection>();
  if (name == "wlc") return std::make_unique<WeightedLeastConnection>();
  if (name == "lblc") return std::make_unique<LocalityBasedLeastConnection>();
  if (name == "lblcr") return std::make_unique<LocalityBasedLeastConnectionReplication>();
  if (name == "dh") return std::make_unique<DestinationHashing>();
  if (name == "sh") return std::make_unique<SourceHashing>(flags);
  if (name == "mh") return std::make_unique<MaglevHashing>(flags);
  if (name == "sed") return std::make_unique<ShortestExpectedDelay>();
  if (name == "nq") return std::make_unique<NeverQueue>();
  if (name == "fo") return std::make_unique<WeightedFailover>();
  if (name == "ovf") return std::make_unique<WeightedOverflow>();
  if (name == "twos") {
    return std::make_unique<PowerOfTwoChoices>(std::make_unique<SeededRandom>(random_seed));
  }
  return nullptr;
}

}  // namespace lvs
