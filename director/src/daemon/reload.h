// SIGHUP: the configuration file again, all or nothing (DESIGN.md §3), without stalling the
// packet thread. A reload has two halves:
//
// On the reload worker (daemon/reload_worker.h), prepare_reload(), with nothing but the path and
// an immutable copy of the running configuration model — never the live tables:
//   1. read, parse and validate the file (config/loader.h; config/config_file.h: a regular file
//      of at most 16 MiB, so a FIFO, /dev/zero or a symlink to either is refused unread; the YAML
//      parser's node and depth budgets): errors with file:line:col
//   2. what a running director cannot change (balancer/config_checks.h): interface, queues,
//      metrics address, vip-mode, managed VIPs — those need a restart
//   3. the difference to the running configuration as ipvsadm commands (service/service_diff.h)
//   4. a moved control socket is bound (a path that cannot be used refuses the reload)
//   5. the nftables rules, replaced atomically when the services' keys or the queues changed
//      (the kernel's commit waits for an RCU grace period, tens of milliseconds the packet
//      thread must not spend): if the kernel refuses them, nothing changed. The installer is the
//      packet thread's otherwise; while a reload is being prepared only the worker uses it. A new
//      service's packets queued in the instant before the packet thread's -A are dropped
//      (counted as no_service; TCP retransmits the SYN), as a removed one's were before.
// Any refusal there is logged on the packet thread and changes nothing.
//
// On the packet thread, ReloadApplier:
//   begin()  the moved control socket swapped in, then everything but the services (timeouts,
//            neighbour parameters, PERMANENT entries), in one go
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
#include "daemon/loop_step_times.h"
#include "daemon/neighbour_actions.h"
#include "io/control_server.h"
#include "io/nft_installer.h"
#include "service/service_diff.h"

namespace lvs {

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
  // The control socket's new listener, when `control-socket` moved (bound by the worker).
  std::optional<io::ControlListener> moved_control;
  bool rules_replaced = false;   // the worker installed new nftables rules
  std::uint64_t prepare_ms = 0;  // how long reading, parsing and diffing took on the worker
};

// The worker's half (see above). Never throws; touches nothing but the file, `running`, a new
// control socket and `nft` (which nothing else uses meanwhile).
PreparedReload prepare_reload(const std::string& path, const config::DirectorConfig& running,
                              io::NftInstaller& nft);

class ReloadApplier {
 public:
  // Time the packet thread spends on service changes per event-loop turn.
  static constexpr std::uint64_t kStepBudgetUs = 2000;
  // Server commands (-a/-e/-d) logged one per line per reload; the rest are counted in the
  // summary line. Service commands (-A/-E/-D) are always logged.
  static constexpr std::size_t kLoggedCommands = 50;

  bool active() const { return prepared_.next != nullptr; }

  // Starts applying `prepared`; false (logged) if the worker refused it — nothing changed then.
  bool begin(PreparedReload prepared, Balancer& balancer, DirectorIo& io,
             NeighbourActions& neighbour_actions);

  // Applies changes for up to kStepBudgetUs. Returns the new running configuration when the last
  // change is applied (then active() is false), else null. `times`: the event loop's step times
  // since the reload began, for the summary line; `started_us`: when this step began.
  std::shared_ptr<const config::DirectorConfig> step(Balancer& balancer, const LoopStepTimes& times,
                                                     std::uint64_t started_us);

 private:
  PreparedReload prepared_;
  std::size_t next_change_ = 0;
  std::size_t applied_ = 0;         // changes that changed something
  std::size_t logged_servers_ = 0;  // server commands so far
  std::size_t steps_ = 0;
  std::uint64_t started_us_ = 0;
};

}  // namespace lvs
