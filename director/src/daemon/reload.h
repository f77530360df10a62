// SIGHUP: the configuration file again, all or nothing (DESIGN.md §3), without stalling the
// packet thread. A reload has two halves:
//
// On the reload worker (daemon/reload_worker.h), prepare_reload(), with nothing but the path and
// an immutable copy of the running configuration model — never the live tables:
//   1. the file must be a regular file of at most kMaxConfigBytes (a FIFO, /dev/zero or a symlink
//      to either is refused before anything reads it)
//   2. parse and validate it (config/loader.h): errors with file:line:col
//   3. what a running director cannot change (balancer/config_checks.h): interface, queues,
//      metrics address, vip-mode, managed VIPs — those need a restart
//   4. the difference to the running configuration as ipvsadm commands (service/service_diff.h)
// Any refusal there is logged on the packet thread and changes nothing.
//
// On the packet thread, ReloadApplier:
//   begin()  a moved control socket is bound first and the nftables rules are replaced
//            atomically — both can still refuse, and then nothing has changed — then everything
//            but the services (timeouts, neighbour parameters, PERMANENT entries), in one go
//   step()   the service changes, as many as fit in kStepBudgetUs, then back to the event loop
//            (packets, ARP, timers, lvsadm) until the next step; when the last change is applied
//            the new configuration becomes the running one and the log says how many changes,
//            in how many steps, and the longest event-loop step meanwhile
// A second SIGHUP while a reload is prepared or applied is coalesced: one more reload of the
// file follows the current one (any number of SIGHUPs meanwhile make one).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "balancer/balancer.h"
#include "config/model.h"
#include "daemon/director_io.h"
#include "daemon/neighbour_actions.h"
#include "service/service_diff.h"

namespace lvs {

// The largest configuration file a reload reads (a start-up reads it through the same loader).
inline constexpr std::uint64_t kMaxConfigBytes = 16u << 20;

// What the worker hands to the packet thread.
struct PreparedReload {
  std::string path;
  // The accepted configuration and the changes to reach it; null when refused. Not const: the
  // packet thread may still correct it (a control socket that could not move) before it becomes
  // the running one.
  std::shared_ptr<config::DirectorConfig> next;
  std::vector<ServiceChange> changes;
  // When refused: the log lines saying why (the last one says nothing was changed).
  std::vector<std::string> refusal;
  std::uint64_t prepare_ms = 0;  // how long reading, parsing and diffing took on the worker
};

// The worker's half (see above). Never throws; touches nothing but the file and `running`.
PreparedReload prepare_reload(const std::string& path, const config::DirectorConfig& running);

class ReloadApplier {
 public:
  // Time the packet thread spends on service changes per event-loop turn.
  static constexpr std::uint64_t kStepBudgetUs = 2000;
  // Commands logged one per line per reload; the rest are counted in the summary line.
  static constexpr std::size_t kLoggedCommands = 50;

  bool active() const { return prepared_.next != nullptr; }

  // Starts applying `prepared` against `running`; false (logged) if it was refused by the
  // worker, the control socket or the kernel's nftables — nothing changed then.
  bool begin(PreparedReload prepared, const config::DirectorConfig& running, Balancer& balancer,
             DirectorIo& io, NeighbourActions& neighbour_actions);

  // Applies changes for up to kStepBudgetUs. Returns the new running configuration when the last
  // change is applied (then active() is false), else null. `longest_loop_step_us`: the longest
  // event-loop step since begin(), for the summary line.
  std::shared_ptr<const config::DirectorConfig> step(Balancer& balancer,
                                                     std::uint64_t longest_loop_step_us);

 private:
  PreparedReload prepared_;
  std::size_t next_change_ = 0;
  std::size_t applied_ = 0;  // changes that changed something
  std::size_t steps_ = 0;
  std::uint64_t started_us_ = 0;
};

// CLOCK_MONOTONIC in microseconds: the event loop's stall measurement.
std::uint64_t monotonic_us();

}  // namespace lvs
