// The running director: wires the pure core (ServiceTable, Dispatcher, NeighbourTable,
// PacketPath) to the kernel adapters (NFQUEUE, AF_PACKET, nftables) and runs the event loop.
//
//   queue readable → receive a batch → decide each packet → one sendmmsg of the frames →
//                    one verdict message set (NF_ACCEPT singles, then NF_DROP batch per queue)
//   timer (100 ms) → connection expiry, scheduler housekeeping
//   SIGHUP         → reload the config file (all or nothing; refusals keep the old one)
//   SIGUSR1        → log the counters
//   SIGTERM/SIGINT → remove the nft table, unbind, exit 0
//
// Start-up order matters: the queues are bound before the rules point at them, so no packet is
// queued with nobody listening; the rules are removed before the queues are unbound.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/model.h"
#include "conn/dispatcher.h"
#include "daemon/packet_path.h"
#include "io/event_loop.h"
#include "io/event_loop_sources.h"
#include "io/nfqueue_receiver.h"
#include "io/nft_installer.h"
#include "io/packet_sender.h"
#include "neigh/neighbour_table.h"
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

 private:
  Director(std::string config_path, config::DirectorConfig config);
  void process_queue();
  void tick();
  void reload();
  void log_counters() const;
  void refresh_neighbours(const config::DirectorConfig& config);
  int shutdown();

  std::string config_path_;
  config::DirectorConfig config_;
  ServiceTable services_;
  Dispatcher dispatcher_;
  NeighbourTable neighbours_;
  PacketPath path_;

  std::optional<io::NfqueueReceiver> receiver_;
  std::optional<io::PacketSender> sender_;
  std::optional<io::NftInstaller> nft_;
  std::optional<io::EventLoop> loop_;
  std::optional<io::PeriodicTimer> timer_;
  std::optional<io::SignalSource> signals_;

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
