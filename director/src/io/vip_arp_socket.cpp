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
  PacketSocketOptions options;
  options.protocol = ETH_P_ARP;
  options.nonblocking = true;
  options.name = "the ARP socket for the VIPs (AF_PACKET, ETH_P_ARP)";
  auto opened = open_packet_socket(interface, options);
  if (auto* err = std::get_if<std::string>(&opened)) return *err;
  return VipArpSocket(std::move(std::get<PacketSocket>(opened)), interface);
}

std::string VipArpSocket::send(const ArpPacket& packet) {
  const ArpFrameBytes frame = build_arp_frame(packet);
  if (const int err = send_frame(socket_, frame, packet.eth_destination, ETH_P_ARP); err != 0) {
    return "ARP send on " + interface_ + ": " + std::strerror(err);
  }
  return {};
}

std::optional<ArpPacket> VipArpSocket::receive(int timeout_ms) {
  pollfd p{socket_.fd.get(), POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
  std::array<std::uint8_t, 1600> buf{};
  // Bounded: a flood of other frames must not keep the caller past its deadline.
  for (int frames = 0; frames < 64; ++frames) {
    sockaddr_ll from{};
    socklen_t len = sizeof(from);
    const ssize_t n = ::recvfrom(socket_.fd.get(), buf.data(), buf.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return std::nullopt;  // EAGAIN: nothing (else) waiting
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    auto parsed = parse_arp_frame({buf.data(), static_cast<std::size_t>(n)});
    if (parsed.ok()) return parsed.packet;
  }
  return std::nullopt;
}

}  // namespace lvs::io
