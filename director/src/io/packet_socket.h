// AF_PACKET SOCK_RAW sockets bound to one Ethernet interface: what the forwarder
// (io/af_packet_forwarder.h), the resolver's ARP socket (io/arp_socket.h) and the managed-VIP
// ARP socket (io/vip_arp_socket.h) share — opening, the interface's index, MAC and address,
// binding, and sending one frame to a MAC. Needs CAP_NET_RAW.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "base/unique_fd.h"
#include "config/net_address.h"

namespace lvs::io {

struct PacketSocketOptions {
  // The ethertype received (host order, e.g. ETH_P_ARP); 0 opens a send-only socket, which
  // receives nothing and so costs nothing on the receive path.
  std::uint16_t protocol = 0;
  bool nonblocking = false;
  // A classic BPF filter attached before the bind, so nothing unfiltered is ever queued.
  std::span<const sock_filter> filter;
  // How errors name the socket: "the ARP socket", "the AF_PACKET socket", ...
  const char* name = "the AF_PACKET socket";
};

struct PacketSocket {
  base::UniqueFd fd;
  int ifindex = 0;
  MacAddress mac{};
  Ipv4 address = 0;       // the interface's primary IPv4 address at open() (0 if none)
  std::uint32_t mtu = 0;  // the interface's MTU at open() (SIOCGIFMTU; 0 if unreadable)
};

// The interface's MTU now (SIOCGIFMTU on the socket), or 0 if it cannot be read.
std::uint32_t read_interface_mtu(const PacketSocket& socket);

// Errors are one line naming the interface and what to do ("run as root: ... needs
// CAP_NET_RAW", "check `director.interface`").
std::variant<PacketSocket, std::string> open_packet_socket(const std::string& interface,
                                                           const PacketSocketOptions& options);

// Sends one whole frame (Ethernet header included) out of the socket's interface, addressed to
// `destination` (the link-layer destination the kernel fills into sockaddr_ll). Returns 0, or
// the errno of the failure; EINTR is retried.
int send_frame(const PacketSocket& socket, std::span<const std::uint8_t> frame,
               const MacAddress& destination, std::uint16_t protocol);

}  // namespace lvs::io
