// The running director: the pure core (balancer/balancer.h) wired to the kernel adapters
// (daemon/director_io.h), and the event loop that routes each ready descriptor to its job:
//
//   NFQUEUE         a batch: each packet decided by the core, forwarded through the Forwarder,
//                   its verdict into the batch verdict; then the neighbour actions
//   ARP socket      received ARP into the neighbour table; then the neighbour actions
//   neighbour timer the table's timers (solicitations, NUD moves, GC); then the actions
//   tick (100 ms)   connection expiry, scheduler housekeeping, rates, dead hosts asked again,
//                   slow lvsadm clients closed, VIP announcements, metrics (every 1 s)
//   control socket  lvsadm, answered by ctl::answer_request() over DirectorControl
//   SIGHUP          a reload prepared on the reload worker (daemon/reload.h); SIGUSR1 the
//                   counter log; SIGTERM/SIGINT stop
//   reload worker   a prepared reload: refused (logged), or applied in steps of at most
//                   ReloadApplier::kStepBudgetUs between the other events (the loop does not
//                   block while steps remain)
//
// Every step of the loop (one handler call, one reload step) is timed: the longest is the
// packet thread's worst stall, exported as lvs_event_loop_longest_step_seconds and named in the
// "reload applied" line.
//
// Everything else lives in its own room: start-up and shutdown order in DirectorIo, what the
// neighbour table asks for in NeighbourActions, lvsadm's backend in DirectorControl, reload in
// reload.h, the counter log and the metrics in counter_log.h and director_metrics.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "balancer/balancer.h"
#include "config/model.h"
#include "daemon/director_control.h"
#include "daemon/director_io.h"
#include "daemon/director_metrics.h"
#include "daemon/loop_step_times.h"
#include "daemon/metrics_publisher.h"
#include "daemon/neighbour_actions.h"
#include "daemon/reload.h"
#include "daemon/reload_worker.h"
#include "io/nfqueue_receiver.h"
#include "io/verdict_batch.h"

namespace lvs {

class Director {
 public:
  // Opens everything for `config` (loaded from `config_path`, which SIGHUP re-reads) and starts
  // taking traffic. Errors are one line saying what failed and what to do; nothing is left
  // behind. Logs the start-up summary. `random_seed` seeds the services' random streams
  // (service/service_table.h; --random-seed); without it one is drawn from the OS. Either way
  // it is logged, so `lvsadm simulate --random-seed N` can replay the twos decisions.
  static std::variant<std::unique_ptr<Director>, std::string> open(
      std::string config_path, config::DirectorConfig config,
      std::optional<std::uint64_t> random_seed = std::nullopt);
  Director(const Director&) = delete;
  Director& operator=(const Director&) = delete;

  // Runs until SIGTERM/SIGINT; returns the process exit code.
  int run();

 private:
  Director(std::string config_path, config::DirectorConfig config, DirectorIo io,
           std::unique_ptr<ReloadWorker> reload_worker);
  void dispatch(DirectorEvent event);
  void start_reload();
  void reload_prepared();
  void reload_step(std::uint64_t started_us);
  void process_queue();
  void process_arp();
  void run_neighbour_timers();
  void tick();
  void process_signals();
  std::unique_ptr<DirectorMetricsFigures> gather_metrics();
  void publish_metrics();
  int shutdown();

  std::string config_path_;
  // The running configuration model; immutable, so the reload worker can read it while the
  // packet thread goes on (a reload replaces the pointer when its last step is applied).
  std::shared_ptr<const config::DirectorConfig> config_;
  Balancer balancer_;
  std::optional<DirectorIo> io_;  // reset at shutdown, in DirectorIo's order
  // Declared after io_ so it is destroyed before the HTTP server it publishes to.
  std::unique_ptr<MetricsPublisher> metrics_publisher_;
  NeighbourActions neighbour_actions_;
  DirectorControl control_backend_;
  std::vector<io::QueuedPacket> batch_;  // one NFQUEUE batch, sized once
  io::VerdictBatch verdicts_;
  std::uint64_t next_metrics_ms_ = 0;
  std::unique_ptr<ReloadWorker> reload_worker_;
  ReloadApplier reload_;
  bool reload_again_ = false;  // SIGHUP while a reload was in flight: one more follows
  std::uint64_t reloads_applied_ = 0;
  std::uint64_t reloads_rejected_ = 0;
  LoopStepTimes step_times_;
  bool stop_ = false;
};

}  // namespace lvs
