// Sends the director's forwarded frames: an AF_PACKET SOCK_RAW socket bound to the configured
// interface, PACKET_QDISC_BYPASS (the frame goes straight to the driver's xmit, as the
// in-kernel DR path does after its neighbour output — no qdisc we would have to configure),
// and one sendmmsg() per batch. Each frame is gathered from two pieces — the 14-byte Ethernet
// header and the queued IP packet where it lies in the receive buffer — so nothing is copied.
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

#include "config/net_address.h"
#include "base/unique_fd.h"
#include "packet/ethernet_frame.h"

namespace lvs::io {

// A frame to send: header + IP packet. The caller keeps both alive until send_batch() returns.
struct OutgoingFrame {
  EthernetHeader header{};
  std::span<const std::uint8_t> ip_packet;
};

// Why a frame was not sent (lvs_forward_errors_total{reason}); stable names.
enum class SendError : std::uint8_t {
  NoBufferSpace,   // ENOBUFS/EAGAIN: the device queue is full
  MessageTooLong,  // EMSGSIZE: larger than the interface MTU
  InterfaceDown,   // ENETDOWN/ENXIO/ENODEV
  Other,
};
inline constexpr std::size_t kSendErrorCount = 4;
std::string_view send_error_name(SendError error);  // "send_no_buffer_space", ...

class PacketSender {
 public:
  // Opens the socket on `interface` (needs CAP_NET_RAW) and reads the interface's MAC.
  static std::variant<PacketSender, std::string> open(const std::string& interface,
                                                      std::size_t batch_size = 64);

  PacketSender(PacketSender&&) noexcept = default;
  PacketSender& operator=(PacketSender&&) noexcept = default;

  const MacAddress& mac() const { return mac_; }
  int ifindex() const { return ifindex_; }
  const std::string& interface() const { return interface_; }

  // Sends every frame (in chunks of batch_size); returns how many were sent. Failures are
  // counted by reason and the frame is skipped (the next ones are still tried).
  std::size_t send_batch(std::span<const OutgoingFrame> frames);

  std::uint64_t sent() const { return sent_; }
  std::uint64_t errors(SendError e) const { return errors_[static_cast<std::size_t>(e)]; }
  bool qdisc_bypass() const { return qdisc_bypass_; }

 private:
  PacketSender(base::UniqueFd fd, std::string interface, int ifindex, MacAddress mac,
               std::size_t batch_size);
  void count_error(int err);

  base::UniqueFd fd_;
  std::string interface_;
  int ifindex_ = 0;
  MacAddress mac_{};
  bool qdisc_bypass_ = false;
  std::vector<struct mmsghdr> msgs_;
  std::vector<std::array<struct iovec, 2>> iovs_;
  std::uint64_t sent_ = 0;
  std::array<std::uint64_t, kSendErrorCount> errors_{};
};

}  // namespace lvs::io
