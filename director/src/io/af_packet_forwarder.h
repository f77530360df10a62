// The director's Forwarder (balancer/forwarder.h) today: an AF_PACKET SOCK_RAW socket bound to
// the configured interface with PACKET_QDISC_BYPASS (the frame goes straight to the driver's
// xmit, as the in-kernel DR path does after its neighbour output — no qdisc we would have to
// configure), and one sendmmsg() per batch. Each frame is gathered from two pieces — the 14-byte
// Ethernet header built here and the queued IP packet where it lies in the receive buffer — so
// nothing is copied. Staging and sending reuse buffers sized once: no allocation per packet.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "balancer/forwarder.h"
#include "config/net_address.h"
#include "io/packet_socket.h"
#include "packet/ethernet_frame.h"

namespace lvs::io {

// Why a frame was not sent (lvs_forward_errors_total{reason}); stable names.
enum class SendError : std::uint8_t {
  NoBufferSpace,   // ENOBUFS/EAGAIN: the device queue is full
  MessageTooLong,  // EMSGSIZE: larger than the interface MTU
  InterfaceDown,   // ENETDOWN/ENXIO/ENODEV
  Other,
};
inline constexpr std::size_t kSendErrorCount = 4;
std::string_view send_error_name(SendError error);  // "send_no_buffer_space", ...

class AfPacketForwarder final : public Forwarder {
 public:
  // Opens the socket on `interface` (needs CAP_NET_RAW) and reads the interface's MAC, the
  // source of every frame. Up to `batch_size` frames go in one sendmmsg().
  static std::variant<AfPacketForwarder, std::string> open(const std::string& interface,
                                                           std::size_t batch_size = 64);

  AfPacketForwarder(AfPacketForwarder&&) noexcept = default;
  AfPacketForwarder& operator=(AfPacketForwarder&&) noexcept = default;

  // --- Forwarder ---
  // A full stage is sent at once, so any number of packets may be forwarded between flushes.
  void forward(std::span<const std::uint8_t> ip_packet, const MacAddress& next_hop) override;
  void flush() override;

  const MacAddress& mac() const { return socket_.mac; }
  int ifindex() const { return socket_.ifindex; }
  const std::string& interface() const { return interface_; }
  bool qdisc_bypass() const { return qdisc_bypass_; }

  // Frames sent, and frames not sent by reason (each failure skips its frame; the next ones are
  // still tried).
  std::uint64_t sent() const { return sent_; }
  std::uint64_t errors(SendError e) const { return errors_[static_cast<std::size_t>(e)]; }

 private:
  AfPacketForwarder(PacketSocket socket, std::string interface, std::size_t batch_size);
  void count_error(int err);

  // A frame to send: header + IP packet (the packet's bytes stay where they are).
  struct Frame {
    EthernetHeader header{};
    std::span<const std::uint8_t> ip_packet;
  };

  PacketSocket socket_;
  std::string interface_;
  bool qdisc_bypass_ = false;
  std::vector<Frame> staged_;  // capacity batch_size, never grown
  std::size_t staged_count_ = 0;
  std::vector<struct mmsghdr> msgs_;
  std::vector<std::array<struct iovec, 2>> iovs_;
  std::uint64_t sent_ = 0;
  std::array<std::uint64_t, kSendErrorCount> errors_{};
};

}  // namespace lvs::io
