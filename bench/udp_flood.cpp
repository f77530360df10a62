// udp_flood: the lab benchmark's UDP packet generator (bench/lab-bench.sh, "Lab benchmark" in
// bench/README.md). Sends prebuilt Ethernet/IPv4/UDP frames through an AF_PACKET socket with
// sendmmsg(), flat out or at a fixed rate, for a fixed time, and prints what it sent:
//
//   udp_flood --interface eth0 --dst-mac 02:00:00:00:00:02 --dst-ip 10.200.0.100 --dst-port 9000
//             [--src-ports 1024] [--first-src-port 10000] [--rate PPS] [--duration S]
//             [--frame-bytes 60] [--batch 64]
//   -> sent=1234567 failed=0 seconds=10.000 pps=123456.7
//
// Why AF_PACKET and not UDP sockets: one socket can then send from many source ports (so hashing
// and per-flow scheduling spread the flood over the real servers) with one sendmmsg() per batch,
// and with PACKET_QDISC_BYPASS nothing in the sender's own stack (routing, neighbour, qdisc)
// costs CPU that the path under test needs. The frames are complete (addresses given, checksums
// computed), so the generator needs no ARP: the lab's MACs are fixed.
//
// Frame size counts the Ethernet header but not the FCS, as Linux does: the default 60 is the
// minimum frame, 64 bytes on a wire. Source address and MAC default to the interface's own.
//
// It only ever sends on the interface it is given; the lab benchmark runs it inside the lab's
// client namespace.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Mac = std::array<std::uint8_t, 6>;

constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kIpv4Header = 20;
constexpr std::size_t kUdpHeader = 8;
constexpr std::size_t kMinFrame = kEthernetHeader + kIpv4Header + kUdpHeader;
constexpr std::size_t kMaxFrame = 1514;

struct Options {
  std::string interface;
  std::optional<Mac> src_mac;
  Mac dst_mac{};
  std::optional<in_addr> src_ip;
  in_addr dst_ip{};
  std::uint16_t dst_port = 0;
  std::uint16_t first_src_port = 10000;
  unsigned src_ports = 1024;
  double rate = 0;  // packets per second; 0 = as fast as the path takes them
  double duration = 10;
  std::size_t frame_bytes = 60;
  unsigned batch = 64;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr,
               "udp_flood: %s\n"
               "usage: udp_flood --interface IF --dst-mac MAC --dst-ip ADDR --dst-port PORT\n"
               "                 [--src-mac MAC] [--src-ip ADDR] [--src-ports N (1024)]\n"
               "                 [--first-src-port P (10000)] [--rate PPS (0 = flat out)]\n"
               "                 [--duration S (10)] [--frame-bytes B (60, no FCS)]\n"
               "                 [--batch N (64)]\n",
               message.c_str());
  std::exit(2);
}

std::optional<Mac> parse_mac(std::string_view text) {
  Mac mac{};
  unsigned b[6];
  char tail;
  if (std::sscanf(std::string(text).c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
                  &b[3], &b[4], &b[5], &tail) != 6) {
    return std::nullopt;
  }
  for (int i = 0; i < 6; ++i) mac[i] = static_cast<std::uint8_t>(b[i]);
  return mac;
}

std::optional<in_addr> parse_ipv4(std::string_view text) {
  in_addr a{};
  if (inet_pton(AF_INET, std::string(text).c_str(), &a) != 1) return std::nullopt;
  return a;
}

// Whole-string unsigned number in [lo, hi].
std::optional<double> parse_number(std::string_view text, double lo, double hi) {
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || errno != 0 || end != s.c_str() + s.size() || v < lo || v > hi) {
    return std::nullopt;
  }
  return v;
}

Options parse_options(int argc, char** argv) {
  Options o;
  bool have_dst_mac = false, have_dst_ip = false, have_dst_port = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage_error("option " + std::string(flag) + " needs a value");
    const std::string_view value = argv[++i];
    auto number = [&](double lo, double hi) {
      auto v = parse_number(value, lo, hi);
      if (!v) {
        usage_error(std::string(flag) + ": '" + std::string(value) + "' is not a number in [" +
                    std::to_string(lo) + ", " + std::to_string(hi) + "]");
      }
      return *v;
    };
    auto mac = [&] {
      auto m = parse_mac(value);
      if (!m) usage_error(std::string(flag) + ": '" + std::string(value) + "' is not a MAC");
      return *m;
    };
    auto ip = [&] {
      auto a = parse_ipv4(value);
      if (!a) usage_error(std::string(flag) + ": '" + std::string(value) + "' is not IPv4");
      return *a;
    };
    if (flag == "--interface") {
      o.interface = value;
    } else if (flag == "--dst-mac") {
      o.dst_mac = mac();
      have_dst_mac = true;
    } else if (flag == "--src-mac") {
      o.src_mac = mac();
    } else if (flag == "--dst-ip") {
      o.dst_ip = ip();
      have_dst_ip = true;
    } else if (flag == "--src-ip") {
      o.src_ip = ip();
    } else if (flag == "--dst-port") {
      o.dst_port = static_cast<std::uint16_t>(number(1, 65535));
      have_dst_port = true;
    } else if (flag == "--first-src-port") {
      o.first_src_port = static_cast<std::uint16_t>(number(1, 65535));
    } else if (flag == "--src-ports") {
      o.src_ports = static_cast<unsigned>(number(1, 65535));
    } else if (flag == "--rate") {
      o.rate = number(0, 1e9);
    } else if (flag == "--duration") {
      o.duration = number(0.001, 86400);
    } else if (flag == "--frame-bytes") {
      o.frame_bytes = static_cast<std::size_t>(number(kMinFrame, kMaxFrame));
    } else if (flag == "--batch") {
      o.batch = static_cast<unsigned>(number(1, 1024));
    } else {
      usage_error("unknown option " + std::string(flag));
    }
  }
  if (o.interface.empty()) usage_error("--interface is required");
  if (!have_dst_mac || !have_dst_ip || !have_dst_port) {
    usage_error("--dst-mac, --dst-ip and --dst-port are required");
  }
  if (o.first_src_port + o.src_ports - 1 > 65535) {
    usage_error("--first-src-port + --src-ports goes past port 65535");
  }
  return o;
}

// RFC 1071 one's-complement sum, folded; `sum` carries a pseudo-header in.
std::uint16_t checksum(const std::uint8_t* data, std::size_t len, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (len & 1) sum += data[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

// One complete frame per source port: sending is then only pointing iovecs at them.
std::vector<std::uint8_t> build_frames(const Options& o, const Mac& src_mac, in_addr src_ip) {
  const std::size_t n = o.frame_bytes;
  std::vector<std::uint8_t> frames(n * o.src_ports, 0);
  const std::size_t ip_len = n - kEthernetHeader;
  const std::size_t udp_len = ip_len - kIpv4Header;
  for (unsigned i = 0; i < o.src_ports; ++i) {
    std::uint8_t* f = frames.data() + i * n;
    std::memcpy(f, o.dst_mac.data(), 6);
    std::memcpy(f + 6, src_mac.data(), 6);
    put16(f + 12, ETHERTYPE_IP);
    std::uint8_t* ip = f + kEthernetHeader;
    ip[0] = 0x45;
    put16(ip + 2, static_cast<std::uint16_t>(ip_len));
    put16(ip + 4, static_cast<std::uint16_t>(i));  // identification
    ip[8] = 64;                                    // TTL
    ip[9] = IPPROTO_UDP;
    std::memcpy(ip + 12, &src_ip, 4);
    std::memcpy(ip + 16, &o.dst_ip, 4);
    put16(ip + 10, checksum(ip, kIpv4Header));
    std::uint8_t* udp = ip + kIpv4Header;
    put16(udp, static_cast<std::uint16_t>(o.first_src_port + i));
    put16(udp + 2, o.dst_port);
    put16(udp + 4, static_cast<std::uint16_t>(udp_len));
    // Pseudo-header: addresses, protocol, UDP length.
    std::uint32_t pseudo = IPPROTO_UDP + static_cast<std::uint32_t>(udp_len);
    for (int k = 12; k < 20; k += 2) pseudo += (ip[k] << 8) | ip[k + 1];
    std::uint16_t sum = checksum(udp, udp_len, pseudo);
    put16(udp + 6, sum == 0 ? 0xffff : sum);  // 0 would mean "no checksum"
  }
  return frames;
}

int open_socket(const Options& o, int& ifindex, Mac& if_mac, std::optional<in_addr>& if_ip) {
  // Protocol 0: a send-only socket, so the kernel never queues received frames to it.
  const int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) {
    std::perror("udp_flood: socket(AF_PACKET) (needs CAP_NET_RAW)");
    std::exit(1);
  }
  ifreq ifr{};
  if (o.interface.size() >= sizeof(ifr.ifr_name)) usage_error("interface name too long");
  std::strncpy(ifr.ifr_name, o.interface.c_str(), sizeof(ifr.ifr_name) - 1);
  if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
    std::fprintf(stderr, "udp_flood: no interface '%s' here: %s\n", o.interface.c_str(),
                 std::strerror(errno));
    std::exit(1);
  }
  ifindex = ifr.ifr_ifindex;
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) std::memcpy(if_mac.data(), ifr.ifr_hwaddr.sa_data, 6);
  ifreq ifa{};
  std::strncpy(ifa.ifr_name, o.interface.c_str(), sizeof(ifa.ifr_name) - 1);
  ifa.ifr_addr.sa_family = AF_INET;
  if (ioctl(fd, SIOCGIFADDR, &ifa) == 0) {
    if_ip = reinterpret_cast<sockaddr_in*>(&ifa.ifr_addr)->sin_addr;
  }
  // Straight to the driver: the path under test starts at the wire, not at our qdisc.
  const int one = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0) {
    std::perror("udp_flood: PACKET_QDISC_BYPASS (going on without)");
  }
  const int sndbuf = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0) {
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  }
  return fd;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  int ifindex = 0;
  Mac if_mac{};
  std::optional<in_addr> if_ip;
  const int fd = open_socket(o, ifindex, if_mac, if_ip);
  const Mac src_mac = o.src_mac.value_or(if_mac);
  if (!o.src_ip && !if_ip) usage_error(o.interface + " has no IPv4 address: give --src-ip");
  const in_addr src_ip = o.src_ip ? *o.src_ip : *if_ip;
  std::vector<std::uint8_t> frames = build_frames(o, src_mac, src_ip);

  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_IP);
  to.sll_ifindex = ifindex;
  to.sll_halen = 6;
  std::memcpy(to.sll_addr, o.dst_mac.data(), 6);

  // One iovec and header per batch slot, re-pointed at the next frames before every call.
  std::vector<iovec> iov(o.batch);
  std::vector<mmsghdr> msgs(o.batch);
  for (unsigned j = 0; j < o.batch; ++j) {
    iov[j].iov_len = o.frame_bytes;
    msgs[j].msg_hdr = {};
    msgs[j].msg_hdr.msg_name = &to;
    msgs[j].msg_hdr.msg_namelen = sizeof(to);
    msgs[j].msg_hdr.msg_iov = &iov[j];
    msgs[j].msg_hdr.msg_iovlen = 1;
  }

  std::uint64_t sent = 0, failed = 0;
  unsigned next_frame = 0;
  int last_errno = 0;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(o.duration));
  for (;;) {
    const Clock::time_point now = Clock::now();
    if (now >= end) break;
    unsigned want = o.batch;
    if (o.rate > 0) {
      // Paced: send what is due by now (attempts, so a failing path does not make us burst),
      // else sleep until the next packet is due. Batches stay small at low rates.
      const double elapsed = std::chrono::duration<double>(now - start).count();
      const double due = elapsed * o.rate - static_cast<double>(sent + failed);
      if (due < 1) {
        const double wait = (1 - due) / o.rate;
        timespec ts{static_cast<time_t>(wait),
                    static_cast<long>((wait - static_cast<time_t>(wait)) * 1e9)};
        nanosleep(&ts, nullptr);
        continue;
      }
      if (due < want) want = static_cast<unsigned>(due);
    }
    for (unsigned j = 0; j < want; ++j) {
      iov[j].iov_base = frames.data() + static_cast<std::size_t>(next_frame) * o.frame_bytes;
      if (++next_frame == o.src_ports) next_frame = 0;
    }
    const int n = sendmmsg(fd, msgs.data(), want, 0);
    if (n < 0) {
      // The first frame of the batch was refused (e.g. ENOBUFS): count it and go on, so a
      // congested path shows as failures rather than stalling the generator.
      if (errno == EINTR) continue;
      last_errno = errno;
      ++failed;
      continue;
    }
    sent += static_cast<unsigned>(n);
    if (static_cast<unsigned>(n) < want) {
      // The frame after the last one sent failed; it was not sent. The frame index has moved on
      // past all `want`; that only changes which ports come next, which is irrelevant.
      ++failed;
    }
  }
  const double seconds = seconds_since(start);
  std::printf("sent=%llu failed=%llu seconds=%.3f pps=%.1f\n",
              static_cast<unsigned long long>(sent), static_cast<unsigned long long>(failed),
              seconds, static_cast<double>(sent) / seconds);
  if (failed > 0) {
    std::fprintf(stderr, "udp_flood: %llu sends refused, last error: %s\n",
                 static_cast<unsigned long long>(failed), std::strerror(last_errno));
  }
  close(fd);
  return 0;
}
