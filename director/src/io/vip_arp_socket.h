// The ARP socket of the managed-VIP work (duplicate address detection and gratuitous
// announcements): AF_PACKET SOCK_RAW for ETH_P_ARP bound to the director's interface. Short-lived
// and independent of the resolver's socket, so the VIPs can be probed before anything else runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "config/net_address.h"
#include "io/packet_socket.h"
#include "packet/arp_frame.h"

namespace lvs::io {

class VipArpSocket {
 public:
  // Needs CAP_NET_RAW. Reads the interface's index and MAC.
  static std::variant<VipArpSocket, std::string> open(const std::string& interface);

  int ifindex() const { return socket_.ifindex; }
  const MacAddress& mac() const { return socket_.mac; }
  const std::string& interface() const { return interface_; }

  // Sends one frame; an error message (empty: sent).
  std::string send(const ArpPacket& packet);
  // Waits up to `timeout_ms` for one ARP frame received from the wire (our own outgoing frames
  // are skipped); nullopt on timeout. Malformed frames are skipped too.
  std::optional<ArpPacket> receive(int timeout_ms);

 private:
  VipArpSocket(PacketSocket socket, std::string interface)
      : socket_(std::move(socket)), interface_(std::move(interface)) {}

  PacketSocket socket_;
  std::string interface_;
};

}  // namespace lvs::io
