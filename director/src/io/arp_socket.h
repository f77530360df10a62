// The resolver's ARP socket: AF_PACKET SOCK_RAW for ETH_P_ARP bound to the director's interface,
// non-blocking, for the event loop. A classic BPF filter in the kernel passes only ARP for IPv4
// over Ethernet (hardware type 1, protocol 0x0800, lengths 6/4), so the loop wakes for nothing
// else; frames our own host sent (PACKET_OUTGOING) are skipped. Every frame that gets through is
// parsed with parse_arp_frame(); refusals are counted by reason (the filter makes them rare: a
// truncated frame, an opcode other than request/reply).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "config/net_address.h"
#include "io/packet_socket.h"
#include "packet/arp_frame.h"

namespace lvs::io {

class ArpSocket {
 public:
  // Needs CAP_NET_RAW. Reads the interface's index and MAC.
  static std::variant<ArpSocket, std::string> open(const std::string& interface);

  int fd() const { return socket_.fd.get(); }
  const MacAddress& mac() const { return socket_.mac; }
  // The interface's primary IPv4 address at open() (0 if it has none): the sender of our
  // requests, as arp_announce=2 picks it.
  Ipv4 address() const { return socket_.address; }

  // Reads every frame waiting (at most `max_frames`) and calls `on_packet` for each parsed one;
  // returns how many frames were read.
  std::size_t receive(const std::function<void(const ArpPacket&)>& on_packet,
                      std::size_t max_frames = 64);
  // Sends one frame; false (counted in send_errors()) if the kernel refused it.
  bool send(const ArpPacket& packet);

  // Frames the kernel dropped because the receive buffer was full (PACKET_STATISTICS), since
  // open (reading resets the kernel's counter, which this folds into the total).
  std::uint64_t drops() const;
  std::uint64_t received() const { return received_; }
  std::uint64_t sent() const { return sent_; }
  std::uint64_t send_errors() const { return send_errors_; }
  std::uint64_t parse_errors(ArpParseError e) const {
    return parse_errors_[static_cast<std::size_t>(e)];
  }

 private:
  explicit ArpSocket(PacketSocket socket) : socket_(std::move(socket)) {}

  static constexpr int kReceiveBufferBytes = 8 << 20;

  PacketSocket socket_;
  mutable std::uint64_t drops_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t send_errors_ = 0;
  std::array<std::uint64_t, kArpParseErrorCount> parse_errors_{};
};

}  // namespace lvs::io
