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
//   SIGHUP          reload (daemon/reload.h); SIGUSR1 the counter log; SIGTERM/SIGINT stop
//
// Everything else lives in its own room: start-up and shutdown order in DirectorIo, what the
// neighbour table asks for in NeighbourActions, lvsadm's backend in DirectorControl, reload in
// reload.h, the counter log and the metrics in counter_log.h and director_metrics.h.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "balancer/balancer.h"
#include "config/model.h"
#include "daemon/director_control.h"
#include "daemon/director_io.h"
#include "daemon/neighbour_actions.h"
#include "io/nfqueue_receiver.h"
#include "io/verdict_batch.h"

namespace lvs {

class Director {
 public:
  // Opens everything for `config` (loaded from `config_path`, which SIGHUP re-reads) and starts
  // taking traffic. Errors are one line saying what failed and what to do; nothing is left
  // behind. Logs the start-up summary.
  static std::variant<std::unique_ptr<Director>, std::string> open(std::string config_path,
                                                                   config::DirectorConfig config);
  Director(const Director&) = delete;
  Director& operator=(const Director&) = delete;

  // Runs until SIGTERM/SIGINT; returns the process exit code.
  int run();

 private:
  Director(std::string config_path, config::DirectorConfig config, DirectorIo io);
  void process_queue();
  void process_arp();
  void run_neighbour_timers();
  void tick();
  void process_signals();
  void publish_metrics();
  int shutdown();

  std::string config_path_;
  config::DirectorConfig config_;
  Balancer balancer_;
  std::optional<DirectorIo> io_;  // reset at shutdown, in DirectorIo's order
  NeighbourActions neighbour_actions_;
  DirectorControl control_backend_;
  std::vector<io::QueuedPacket> batch_;  // one NFQUEUE batch, sized once
  io::VerdictBatch verdicts_;
  std::uint64_t next_metrics_ms_ = 0;
  bool stop_ = false;
};

}  // namespace lvs
