#include "io/vip_arp_socket.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace lvs::io {

std::variant<VipArpSocket, std::string> VipArpSocket::open(const std::string& interface) {
  base::UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP)));
  if (!fd.valid()) {
    return "ARP socket on " + interface + ": " + std::strerror(errno) +
           (errno == EPERM ? " (needs CAP_NET_RAW)" : "");
  }
  ifreq ifr{};
  if (interface.size() >= IFNAMSIZ) return "interface name too long: " + interface;
  std::memcpy(ifr.ifr_name, interface.c_str(), interface.size() + 1);
  if (::ioctl(fd.get(), SIOCGIFINDEX, &ifr) < 0) {
    return "interface " + interface + ": " + std::strerror(errno);
  }
  const int ifindex = ifr.ifr_ifindex;
  if (::ioctl(fd.get(), SIOCGIFHWADDR, &ifr) < 0) {
    return "interface " + interface + ": cannot read its MAC: " + std::strerror(errno);
  }
  MacAddress mac{};
  std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ARP);
  sll.sll_ifindex = ifindex;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) < 0) {
    return "ARP socket on " + interface + ": bind: " + std::strerror(errno);
  }
  return VipArpSocket(std::move(fd), ifindex, mac, interface);
}

std::string VipArpSocket::send(const ArpPacket& packet) {
  const ArpFrameBytes frame = build_arp_frame(packet);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = ifindex_;
  to.sll_halen = 6;
  std::memcpy(to.sll_addr, packet.eth_destination.data(), 6);
  if (::sendto(fd_.get(), frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to),
               sizeof(to)) < 0) {
    return "ARP send on " + interface_ + ": " + std::strerror(errno);
  }
  return {};
}

std::optional<ArpPacket> VipArpSocket::receive(int timeout_ms) {
  pollfd p{fd_.get(), POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
  std::array<std::uint8_t, 1600> buf{};
  // Bounded: a flood of other frames must not keep the caller past its deadline.
  for (int frames = 0; frames < 64; ++frames) {
    sockaddr_ll from{};
    socklen_t len = sizeof(from);
    const ssize_t n =
        ::recvfrom(fd_.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return std::nullopt;  // EAGAIN: nothing (else) waiting
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    auto parsed = parse_arp_frame({buf.data(), static_cast<std::size_t>(n)});
    if (parsed.ok()) return parsed.packet;
  }
  return std::nullopt;
}

}  // namespace lvs::io
