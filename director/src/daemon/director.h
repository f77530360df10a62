// The running director: wires the pure core (ServiceTable, Dispatcher, NeighbourTable,
// PacketPath) to the kernel adapters (NFQUEUE, AF_PACKET, nftables) and runs the event loop.
//
//   queue readable → receive a batch → decide each packet → one sendmmsg of the frames →
//                    one verdict message set (NF_ACCEPT singles, then NF_DROP batch per queue)
//   ARP socket     → received ARP into the neighbour table (io/arp_socket.h); its events run
//   neighbour timer→ a timerfd armed at NeighbourTable::next_timer(): solicitations, NUD moves, GC
//   timer (100 ms) → connection expiry, scheduler housekeeping, rate estimation (every 2 s),
//                    closing control clients that are too slow, metrics published (every 1 s)
//   control socket → answer lvsadm (io/control_server.h) from a snapshot of the state now
//   SIGHUP         → reload the config file (all or nothing; refusals keep the old one)
//   SIGUSR1        → log the counters
//   SIGTERM/SIGINT → remove the nft table (and, in vip-mode managed, the VIPs), unbind, exit 0
//
// Start-up order matters: the queues are bound before the rules point at them, so no packet is
// queued with nobody listening; the rules are removed before the queues are unbound.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/model.h"
#include "conn/dispatcher.h"
#include "ctl/control_protocol.h"
#include "ctl/snapshot.h"
#include "daemon/managed_vips.h"
#include "daemon/packet_path.h"
#include "io/arp_socket.h"
#include "io/control_server.h"
#include "base/timers.h"
#include "base/event_loop.h"
#include "base/signal_source.h"
#include "base/timers.h"
#include "base/metrics_http_server.h"
#include "io/nfqueue_receiver.h"
#include "io/nft_installer.h"
#include "io/packet_sender.h"
#include "neigh/neighbour_table.h"
#include "service/rate_sampler.h"
#include "service/service_table.h"

namespace lvs {

class Director {
 public:
  // Opens everything for `config` (loaded from `config_path`, which SIGHUP re-reads). Errors are
  // one line saying what failed and what to do. Logs the start-up summary to stderr.
  static std::variant<std::unique_ptr<Director>, std::string> open(std::string config_path,
                                                                   config::DirectorConfig config);
  Director(const Director&) = delete;
  Director& operator=(const Director&) = delete;
  ~Director();

  // Runs until SIGTERM/SIGINT; returns the process exit code.
  int run();

  // The state as lvsadm sees it, now (daemon/state_snapshot.h): services, destinations, counters,
  // rates, timeouts, and the connection table when `with_connections` (costly: one entry per
  // connection). For the control socket and for publishing metrics from the loop.
  ctl::Snapshot snapshot(bool with_connections) const;

 private:
  Director(std::string config_path, config::DirectorConfig config);
  void process_queue();
  void tick();
  void reload();
  void log_counters() const;
  // Rebuilds the Prometheus families from the live state and hands them to the scrapers.
  void publish_metrics();
  // The control protocol's answer to one request line.
  // Not const: `lvsadm neigh flush|add|del` change the neighbour table.
  io::ControlAnswer answer_control_request(std::string_view request);
  // NEIGH-SHOW/FLUSH/ADD/DEL (lvsadm neigh); nullopt for the other commands.
  std::optional<std::string> answer_neigh_request(const ctl::Request& request);
  void refresh_neighbours(const config::DirectorConfig& config);
  // --- ARP resolution (issue 5) ---
  void process_arp();
  void run_neighbour_timers();
  // Executes what the neighbour table asked for (send ARP, forward released packets, log, dead
  // hosts) and empties `events`; then re-arms the neighbour timer. Call after every table call
  // that takes events (the packet path's, receive_arp, run_timers, admin_set, ...).
  void execute_neighbour_events(NeighbourEvents& events);
  // Dead hosts: FAILED real servers get no new connections (Destination::dead) until resolved.
  void apply_dead_hosts();
  // Every few seconds: resolve (no packet) each dead host, so it comes back into rotation as
  // soon as it answers ARP again.
  void resolve_real_servers(TimeMs now);
  int shutdown();

  std::string config_path_;
  config::DirectorConfig config_;
  ServiceTable services_;
  Dispatcher dispatcher_;
  NeighbourTable neighbours_;
  PacketPath path_;
  RateSampler rate_sampler_;

  std::optional<io::NfqueueReceiver> receiver_;
  std::optional<io::PacketSender> sender_;
  std::optional<io::NftInstaller> nft_;
  std::optional<base::EventLoop> loop_;
  std::optional<base::PeriodicTimer> timer_;
  std::optional<base::SignalSource> signals_;
  std::optional<io::ControlServer> control_;
  std::optional<base::MetricsHttpServer> metrics_;
  std::optional<ManagedVips> managed_vips_;  // vip-mode: managed only
  std::optional<io::ArpSocket> arp_;
  std::optional<base::DeadlineTimer> neigh_timer_;
  std::vector<Ipv4> our_addresses_;  // the interface's address and the VIPs (ARP targets of ours)
  std::vector<Ipv4> dead_hosts_;     // IPs whose entry went FAILED and has not resolved since
  TimeMs next_resolve_ms_ = 0;
  TimeMs next_metrics_ms_ = 0;

  // Per-batch scratch, sized once (the hot path does not allocate).
  std::vector<io::QueuedPacket> batch_;
  std::vector<io::OutgoingFrame> frames_;
  std::vector<io::NfqueueReceiver::AcceptedPacket> accepts_;
  std::vector<std::optional<std::uint32_t>> drop_upto_;

  std::uint64_t reloads_ = 0;
  std::uint64_t reloads_rejected_ = 0;
  bool stop_ = false;
};

}  // namespace lvs
