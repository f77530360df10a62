#include "io/arp_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace lvs::io {

namespace {

// tcpdump -dd 'arp[0:2] = 1 and arp[2:2] = 0x0800 and arp[4] = 6 and arp[5] = 4' on an Ethernet
// socket bound to ETH_P_ARP: offsets are from the start of the frame (12: ethertype, 14: the ARP
// header). Ethernet or IEEE 802 hardware (1 or 6), as arp_rcv() accepts.
constexpr sock_filter kArpFilter[] = {
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                // ethertype
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 8),  //   != ARP -> drop
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 14),                // ar_hrd
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0),          //   Ethernet -> next check
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 5),          //   IEEE 802, else drop
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 16),                // ar_pro
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 3),   //   != IPv4 -> drop
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 18),                // ar_hln, ar_pln
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0604, 0, 1),     //   != 6/4 -> drop
    BPF_STMT(BPF_RET | BPF_K, 0xffff),                     // accept
    BPF_STMT(BPF_RET | BPF_K, 0),                          // drop
};

}  // namespace

std::variant<ArpSocket, std::string> ArpSocket::open(const std::string& interface) {
  PacketSocketOptions options;
  options.protocol = ETH_P_ARP;
  options.nonblocking = true;
  options.filter = kArpFilter;
  options.name = "the ARP socket (AF_PACKET, ETH_P_ARP)";
  auto opened = open_packet_socket(interface, options);
  if (auto* err = std::get_if<std::string>(&opened)) return *err;
  PacketSocket& socket = std::get<PacketSocket>(opened);
  // A flood of forged ARP must not crowd out the one answer a change check waits for: room for
  // tens of thousands of frames between two wake-ups (SO_RCVBUFFORCE past rmem_max as root; the
  // default buffer is the fallback, not an error).
  const int bytes = kReceiveBufferBytes;
  if (setsockopt(socket.fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0) {
    setsockopt(socket.fd.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
  return ArpSocket(std::move(socket));
}

std::size_t ArpSocket::receive(const std::function<void(const ArpPacket&)>& on_packet,
                               std::size_t max_frames) {
  std::uint8_t buf[256];  // ARP over Ethernet is 42-60 bytes; anything longer is cut (ignored)
  std::size_t frames = 0;
  while (frames < max_frames) {
    sockaddr_ll from{};
    socklen_t from_len = sizeof(from);
    const ssize_t n = recvfrom(socket_.fd.get(), buf, sizeof(buf), MSG_TRUNC,
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

std::uint64_t ArpSocket::drops() const {
  // PACKET_STATISTICS reads and resets the kernel's counters: keep the running total.
  tpacket_stats stats{};
  socklen_t len = sizeof(stats);
  if (getsockopt(socket_.fd.get(), SOL_PACKET, PACKET_STATISTICS, &stats, &len) == 0) {
    drops_ += stats.tp_drops;
  }
  return drops_;
}

bool ArpSocket::send(const ArpPacket& packet) {
  const ArpFrameBytes frame = build_arp_frame(packet);
  if (send_frame(socket_, frame, packet.eth_destination, ETH_P_ARP) == 0) {
    ++sent_;
    return true;
  }
  ++send_errors_;
  return false;
}

}  // namespace lvs::io
