#include "io/arp_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace lvs::io {

namespace {

// tcpdump -dd 'arp[0:2] = 1 and arp[2:2] = 0x0800 and arp[4] = 6 and arp[5] = 4' on an Ethernet
// socket bound to ETH_P_ARP: offsets are from the start of the frame (12: ethertype, 14: the ARP
// header). Ethernet or IEEE 802 hardware (1 or 6), as arp_rcv() accepts.
constexpr sock_filter kArpFilter[] = {
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                  // ethertype
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 8),     //   != ARP -> drop
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 14),                  // ar_hrd
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0),             //   Ethernet -> next check
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 5),             //   IEEE 802, else drop
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 16),                  // ar_pro
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 3),      //   != IPv4 -> drop
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 18),                  // ar_hln, ar_pln
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0604, 0, 1),        //   != 6/4 -> drop
    BPF_STMT(BPF_RET | BPF_K, 0xffff),                       // accept
    BPF_STMT(BPF_RET | BPF_K, 0),                            // drop
};

}  // namespace

std::variant<ArpSocket, std::string> ArpSocket::open(const std::string& interface) {
  if (interface.empty() || interface.size() >= IFNAMSIZ) {
    return "interface '" + interface + "': not a valid interface name";
  }
  base::UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP)));
  if (!fd.valid()) {
    const int err = errno;
    return "cannot open the ARP socket (AF_PACKET, ETH_P_ARP): " + std::string(std::strerror(err)) +
           (err == EPERM ? " (run as root: ARP needs CAP_NET_RAW)" : "");
  }
  // The filter before the bind: nothing unfiltered is queued in between.
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(sizeof(kArpFilter) / sizeof(kArpFilter[0]));
  prog.filter = const_cast<sock_filter*>(kArpFilter);
  if (setsockopt(fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
    return "cannot attach the ARP socket's BPF filter: " + std::string(std::strerror(errno));
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, interface.c_str(), interface.size() + 1);
  if (ioctl(fd.get(), SIOCGIFINDEX, &ifr) < 0) {
    return "interface '" + interface + "': " + std::strerror(errno);
  }
  const int ifindex = ifr.ifr_ifindex;
  if (ioctl(fd.get(), SIOCGIFHWADDR, &ifr) < 0) {
    return "interface '" + interface + "': cannot read its MAC: " + std::strerror(errno);
  }
  MacAddress mac{};
  std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());
  Ipv4 address = 0;
  ifr.ifr_addr.sa_family = AF_INET;
  if (ioctl(fd.get(), SIOCGIFADDR, &ifr) == 0) {
    address = ntohl(reinterpret_cast<const sockaddr_in*>(&ifr.ifr_addr)->sin_addr.s_addr);
  }
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ARP);
  addr.sll_ifindex = ifindex;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    return "interface '" + interface + "': cannot bind the ARP socket: " + std::strerror(errno);
  }
  return ArpSocket(std::move(fd), ifindex, mac, address);
}

std::size_t ArpSocket::receive(const std::function<void(const ArpPacket&)>& on_packet,
                               std::size_t max_frames) {
  std::uint8_t buf[256];  // ARP over Ethernet is 42-60 bytes; anything longer is cut (ignored)
  std::size_t frames = 0;
  while (frames < max_frames) {
    sockaddr_ll from{};
    socklen_t from_len = sizeof(from);
    const ssize_t n = recvfrom(fd_.get(), buf, sizeof(buf), MSG_TRUNC,
                               reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // EAGAIN: drained (other errors: nothing to read either)
    }
    ++frames;
    if (from.sll_pkttype == PACKET_OUTGOING) continue;  // our own requests, looped back
    ++received_;
    const std::size_t len = std::min<std::size_t>(static_cast<std::size_t>(n), sizeof(buf));
    const ArpParseResult parsed = parse_arp_frame({buf, len});
    if (!parsed.ok()) {
      ++parse_errors_[static_cast<std::size_t>(*parsed.error)];
      continue;
    }
    on_packet(parsed.packet);
  }
  return frames;
}

bool ArpSocket::send(const ArpPacket& packet) {
  const ArpFrameBytes frame = build_arp_frame(packet);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = ifindex_;
  to.sll_halen = 6;
  std::memcpy(to.sll_addr, packet.eth_destination.data(), 6);
  while (true) {
    const ssize_t r = sendto(fd_.get(), frame.data(), frame.size(), 0,
                             reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    if (r >= 0) {
      ++sent_;
      return true;
    }
    if (errno != EINTR) break;
  }
  ++send_errors_;
  return false;
}

}  // namespace lvs::io
