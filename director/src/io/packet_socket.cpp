#include "io/packet_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

namespace lvs::io {

std::variant<PacketSocket, std::string> open_packet_socket(const std::string& interface,
                                                           const PacketSocketOptions& options) {
  if (interface.empty() || interface.size() >= IFNAMSIZ) {
    return "interface '" + interface + "': not a valid interface name";
  }
  const int type = SOCK_RAW | SOCK_CLOEXEC | (options.nonblocking ? SOCK_NONBLOCK : 0);
  PacketSocket s;
  s.fd = base::UniqueFd(::socket(AF_PACKET, type, htons(options.protocol)));
  if (!s.fd.valid()) {
    const int err = errno;
    return std::string("cannot open ") + options.name + ": " + std::strerror(err) +
           (err == EPERM ? " (run as root or grant CAP_NET_RAW: raw frames need it)" : "");
  }
  if (!options.filter.empty()) {
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(options.filter.size());
    prog.filter = const_cast<sock_filter*>(options.filter.data());
    if (::setsockopt(s.fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
      return std::string("cannot attach the BPF filter of ") + options.name + ": " +
             std::strerror(errno);
    }
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, interface.c_str(), interface.size() + 1);
  if (::ioctl(s.fd.get(), SIOCGIFINDEX, &ifr) < 0) {
    return "interface '" + interface + "': " + std::strerror(errno) +
           " (check `director.interface` and that the director runs in the right namespace)";
  }
  s.ifindex = ifr.ifr_ifindex;
  if (::ioctl(s.fd.get(), SIOCGIFHWADDR, &ifr) < 0) {
    return "interface '" + interface + "': cannot read its MAC: " + std::strerror(errno);
  }
  if (ifr.ifr_hwaddr.sa_family != 1 /* ARPHRD_ETHER */) {
    return "interface '" + interface + "' is not an Ethernet interface";
  }
  std::memcpy(s.mac.data(), ifr.ifr_hwaddr.sa_data, s.mac.size());
  if (::ioctl(s.fd.get(), SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0) {
    s.mtu = static_cast<std::uint32_t>(ifr.ifr_mtu);
  }
  ifr.ifr_addr.sa_family = AF_INET;
  if (::ioctl(s.fd.get(), SIOCGIFADDR, &ifr) == 0) {
    s.address = ntohl(reinterpret_cast<const sockaddr_in*>(&ifr.ifr_addr)->sin_addr.s_addr);
  }
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(options.protocol);
  addr.sll_ifindex = s.ifindex;
  if (::bind(s.fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    return "interface '" + interface + "': cannot bind " + options.name + ": " +
           std::strerror(errno);
  }
  return s;
}

std::uint32_t read_interface_mtu(const PacketSocket& socket) {
  ifreq ifr{};
  ifr.ifr_ifindex = socket.ifindex;
  if (::ioctl(socket.fd.get(), SIOCGIFNAME, &ifr) < 0) return 0;  // by index: survives a rename
  if (::ioctl(socket.fd.get(), SIOCGIFMTU, &ifr) < 0 || ifr.ifr_mtu <= 0) return 0;
  return static_cast<std::uint32_t>(ifr.ifr_mtu);
}

int send_frame(const PacketSocket& socket, std::span<const std::uint8_t> frame,
               const MacAddress& destination, std::uint16_t protocol) {
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(protocol);
  to.sll_ifindex = socket.ifindex;
  to.sll_halen = 6;
  std::memcpy(to.sll_addr, destination.data(), 6);
  while (::sendto(socket.fd.get(), frame.data(), frame.size(), 0,
                  reinterpret_cast<const sockaddr*>(&to), sizeof(to)) < 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

}  // namespace lvs::io
