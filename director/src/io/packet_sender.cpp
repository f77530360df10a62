#include "io/packet_sender.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cstring>

namespace lvs::io {

std::string_view send_error_name(SendError error) {
  switch (error) {
    case SendError::NoBufferSpace:
      return "send_no_buffer_space";
    case SendError::MessageTooLong:
      return "send_message_too_long";
    case SendError::InterfaceDown:
      return "send_interface_down";
    case SendError::Other:
      return "send_other";
  }
  return "send_other";
}

PacketSender::PacketSender(base::UniqueFd fd, std::string interface, int ifindex, MacAddress mac,
                           std::size_t batch_size)
    : fd_(std::move(fd)), interface_(std::move(interface)), ifindex_(ifindex), mac_(mac) {
  msgs_.resize(std::max<std::size_t>(batch_size, 1));
  iovs_.resize(msgs_.size());
}

std::variant<PacketSender, std::string> PacketSender::open(const std::string& interface,
                                                           std::size_t batch_size) {
  if (interface.empty() || interface.size() >= IFNAMSIZ) {
    return "interface '" + interface + "': not a valid interface name";
  }
  // Protocol 0: a send-only socket — it receives nothing, so it costs nothing on the RX path.
  base::UniqueFd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    int err = errno;
    return "cannot open an AF_PACKET socket: " + std::string(std::strerror(err)) +
           (err == EPERM ? " (run as root: sending frames needs CAP_NET_RAW)" : "");
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, interface.c_str(), interface.size() + 1);
  if (ioctl(fd.get(), SIOCGIFINDEX, &ifr) < 0) {
    return "interface '" + interface + "': " + std::strerror(errno) +
           " (check `director.interface` and that the director runs in the right namespace)";
  }
  const int ifindex = ifr.ifr_ifindex;
  if (ioctl(fd.get(), SIOCGIFHWADDR, &ifr) < 0) {
    return "interface '" + interface + "': cannot read its MAC: " + std::strerror(errno);
  }
  if (ifr.ifr_hwaddr.sa_family != 1 /* ARPHRD_ETHER */) {
    return "interface '" + interface + "' is not an Ethernet interface";
  }
  MacAddress mac{};
  std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());

  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = 0;
  addr.sll_ifindex = ifindex;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
    return "interface '" + interface +
           "': cannot bind the AF_PACKET socket: " + std::strerror(errno);
  }
  PacketSender sender(std::move(fd), interface, ifindex, mac, batch_size);
  int one = 1;
  // Not fatal: without it frames go through the qdisc, which is slower but correct.
  sender.qdisc_bypass_ =
      setsockopt(sender.fd_.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) == 0;
  return sender;
}

void PacketSender::count_error(int err) {
  SendError e = SendError::Other;
  if (err == ENOBUFS || err == EAGAIN)
    e = SendError::NoBufferSpace;
  else if (err == EMSGSIZE)
    e = SendError::MessageTooLong;
  else if (err == ENETDOWN || err == ENXIO || err == ENODEV)
    e = SendError::InterfaceDown;
  ++errors_[static_cast<std::size_t>(e)];
}

std::size_t PacketSender::send_batch(std::span<const OutgoingFrame> frames) {
  std::size_t total_sent = 0;
  while (!frames.empty()) {
    const std::size_t n = std::min(frames.size(), msgs_.size());
    for (std::size_t i = 0; i < n; ++i) {
      auto& iov = iovs_[i];
      iov[0].iov_base = const_cast<std::uint8_t*>(frames[i].header.data());
      iov[0].iov_len = frames[i].header.size();
      iov[1].iov_base = const_cast<std::uint8_t*>(frames[i].ip_packet.data());
      iov[1].iov_len = frames[i].ip_packet.size();
      std::memset(&msgs_[i], 0, sizeof(msgs_[i]));
      msgs_[i].msg_hdr.msg_iov = iov.data();
      msgs_[i].msg_hdr.msg_iovlen = iov.size();
    }
    std::size_t done = 0;
    while (done < n) {
      int r = sendmmsg(fd_.get(), msgs_.data() + done, static_cast<unsigned>(n - done), 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        count_error(errno);  // the first unsent frame failed; skip it and go on
        ++done;
      } else {
        done += static_cast<std::size_t>(r);
        total_sent += static_cast<std::size_t>(r);
      }
    }
    frames = frames.subspan(n);
  }
  sent_ += total_sent;
  return total_sent;
}

}  // namespace lvs::io
