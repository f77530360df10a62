// The director's Forwarder (balancer/forwarder.h) today: an AF_PACKET SOCK_RAW socket bound to
// the configured interface with PACKET_QDISC_BYPASS (the frame goes straight to the driver's
// xmit, as the in-kernel DR path does after its neighbour output — no qdisc we would have to
// configure), and one sendmmsg() per batch. Each frame is gathered from two pieces — the 14-byte
// Ethernet header built here and the queued IP packet where it lies in the receive buffer — so
// nothing is copied. Staging and sending reuse buffers sized once: no allocation per packet.
//
// MTU: read from the kernel at open (SIOCGIFMTU) and again by refresh_mtu() (the daemon calls it
// every second, and a send failing with EMSGSIZE makes the next call see the new value). A packet
// larger than the MTU — in practice a datagram the director's kernel reassembled before the
// queue hook — leaves as fragments (packet/ipv4_fragmenter.h, the kernel's ip_do_fragment()):
// each fragment is gathered from three pieces, the Ethernet header, its own IP header and a slice
// of the original payload, so fragmenting copies headers only. The fragment size is the MTU:
// nfnetlink_queue does not pass the reassembled packet's frag_max_size (IPCB), so the original
// fragment sizes cannot be honoured. A packet with DF set that is still too big here (the MTU
// shrank after the packet path's check) is not sent and counted as send_message_too_long.
// ICMP "fragmentation needed" for the packets the packet path refused goes out on a raw IP socket
// (IPPROTO_RAW: the kernel routes it to the client, the director's routing table decides how).
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
  MessageTooLong,  // EMSGSIZE, or DF set and larger than the MTU: cannot be sent
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
  void send_fragmentation_needed(std::span<const std::uint8_t> ip_packet,
                                 std::uint16_t mtu) override;

  // The interface's MTU as last read (0: unknown, nothing is fragmented).
  std::uint32_t mtu() const { return mtu_; }
  // Reads the MTU from the kernel again and returns it (kept unchanged if unreadable).
  std::uint32_t refresh_mtu();

  const MacAddress& mac() const { return socket_.mac; }
  int ifindex() const { return socket_.ifindex; }
  const std::string& interface() const { return interface_; }
  bool qdisc_bypass() const { return qdisc_bypass_; }

  // Frames sent, and frames not sent by reason (each failure skips its frame; the next ones are
  // still tried).
  std::uint64_t sent() const { return sent_; }
  std::uint64_t errors(SendError e) const { return errors_[static_cast<std::size_t>(e)]; }
  // Packets sent in fragments, and the fragments made of them.
  std::uint64_t fragmented() const { return fragmented_; }
  std::uint64_t fragments() const { return fragments_; }
  // ICMP "fragmentation needed" sent, and those icmp_send() would not answer (a non-first
  // fragment, a non-unicast source) or that sendto() refused.
  std::uint64_t icmp_sent() const { return icmp_sent_; }
  std::uint64_t icmp_not_sent() const { return icmp_not_sent_; }

 private:
  AfPacketForwarder(PacketSocket socket, base::UniqueFd icmp, std::string interface,
                    std::size_t batch_size);
  void count_error(int err);

  // A frame to send: Ethernet header + IP packet, the packet's bytes where they are; for a
  // fragment, Ethernet header + the fragment's own IP header + a slice of the original payload.
  struct Frame {
    EthernetHeader header{};
    std::array<std::uint8_t, 60> ip_header{};
    std::uint8_t ip_header_length = 0;  // 0: `data` is the whole IP packet
    std::span<const std::uint8_t> data;
  };
  // The next free frame, its Ethernet header filled in (a full stage is sent first).
  Frame& stage(const MacAddress& next_hop);

  PacketSocket socket_;
  std::string interface_;
  bool qdisc_bypass_ = false;
  std::vector<Frame> staged_;  // capacity batch_size, never grown
  std::size_t staged_count_ = 0;
  std::vector<struct mmsghdr> msgs_;
  std::vector<std::array<struct iovec, 3>> iovs_;
  std::uint32_t mtu_ = 0;
  bool mtu_stale_ = false;  // a send failed with EMSGSIZE
  base::UniqueFd icmp_;     // IPPROTO_RAW, send-only
  std::array<std::uint8_t, 576> icmp_buffer_{};
  std::uint64_t sent_ = 0;
  std::array<std::uint64_t, kSendErrorCount> errors_{};
  std::uint64_t fragmented_ = 0;
  std::uint64_t fragments_ = 0;
  std::uint64_t icmp_sent_ = 0;
  std::uint64_t icmp_not_sent_ = 0;
};

}  // namespace lvs::io
