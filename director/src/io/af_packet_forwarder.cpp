#include "io/af_packet_forwarder.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "packet/icmp_frag_needed.h"
#include "packet/ipv4_fragmenter.h"

namespace lvs::io {

std::string_view send_error_name(SendError error) {
  // In enum order (the metric label values: add at the end, never rename).
  constexpr std::array<std::string_view, kSendErrorCount> kNames = {
      "send_no_buffer_space", "send_message_too_long", "send_interface_down", "send_other"};
  const auto i = static_cast<std::size_t>(error);
  return i < kNames.size() ? kNames[i] : "send_other";
}

AfPacketForwarder::AfPacketForwarder(PacketSocket socket, base::UniqueFd icmp,
                                     std::string interface, std::size_t batch_size)
    : socket_(std::move(socket)),
      interface_(std::move(interface)),
      mtu_(socket_.mtu),
      icmp_(std::move(icmp)) {
  const std::size_t n = std::max<std::size_t>(batch_size, 1);
  staged_.resize(n);
  msgs_.resize(n);
  iovs_.resize(n);
}

std::variant<AfPacketForwarder, std::string> AfPacketForwarder::open(const std::string& interface,
                                                                     std::size_t batch_size) {
  PacketSocketOptions options;
  options.protocol = 0;  // send-only
  options.name = "the AF_PACKET socket that forwards";
  auto opened = open_packet_socket(interface, options);
  if (auto* err = std::get_if<std::string>(&opened)) return *err;
  // IPPROTO_RAW: send-only, IP_HDRINCL implied (the ICMP builder writes the whole packet).
  base::UniqueFd icmp(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW));
  if (!icmp.valid()) {
    return std::string("cannot open the raw IP socket for ICMP errors: ") + std::strerror(errno) +
           " (run as root or grant CAP_NET_RAW)";
  }
  AfPacketForwarder f(std::move(std::get<PacketSocket>(opened)), std::move(icmp), interface,
                      batch_size);
  int one = 1;
  // Not fatal: without it frames go through the qdisc, which is slower but correct.
  f.qdisc_bypass_ =
      setsockopt(f.socket_.fd.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) == 0;
  return f;
}

std::uint32_t AfPacketForwarder::refresh_mtu() {
  if (const std::uint32_t mtu = read_interface_mtu(socket_); mtu != 0) mtu_ = mtu;
  mtu_stale_ = false;
  return mtu_;
}

AfPacketForwarder::Frame& AfPacketForwarder::stage(const MacAddress& next_hop) {
  if (staged_count_ == staged_.size()) flush();
  Frame& f = staged_[staged_count_++];
  f.header = ethernet_header(next_hop, socket_.mac);
  f.ip_header_length = 0;
  return f;
}

void AfPacketForwarder::forward(std::span<const std::uint8_t> ip_packet,
                                const MacAddress& next_hop) {
  if (mtu_stale_) refresh_mtu();
  if (mtu_ == 0 || ip_packet.size() <= mtu_) {
    stage(next_hop).data = ip_packet;
    return;
  }
  // as ip_fragment(): DF set -> not ours to fragment (the packet path answered with ICMP unless
  // the MTU changed since).
  if (ip_packet.size() < 20 || (ip_packet[6] & 0x40) != 0) {
    ++errors_[static_cast<std::size_t>(SendError::MessageTooLong)];
    return;
  }
  Ipv4Fragmenter fragmenter(ip_packet, mtu_);
  if (!fragmenter.ok()) {
    ++errors_[static_cast<std::size_t>(SendError::Other)];
    return;
  }
  ++fragmented_;
  Ipv4Fragment fragment;
  while (fragmenter.next(fragment)) {
    Frame& f = stage(next_hop);
    std::copy_n(fragment.header_storage.begin(), fragment.header_length, f.ip_header.begin());
    f.ip_header_length = fragment.header_length;
    f.data = fragment.payload;
    ++fragments_;
  }
}

void AfPacketForwarder::send_fragmentation_needed(std::span<const std::uint8_t> ip_packet,
                                                  std::uint16_t mtu) {
  const std::size_t n = build_fragmentation_needed(ip_packet, mtu, icmp_buffer_);
  if (n == 0) {
    ++icmp_not_sent_;
    return;
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  std::memcpy(&to.sin_addr.s_addr, icmp_buffer_.data() + 16, 4);  // already network order
  ssize_t r;
  do {
    r = ::sendto(icmp_.get(), icmp_buffer_.data(), n, 0, reinterpret_cast<const sockaddr*>(&to),
                 sizeof(to));
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    ++icmp_not_sent_;
  } else {
    ++icmp_sent_;
  }
}

void AfPacketForwarder::count_error(int err) {
  SendError e = SendError::Other;
  if (err == ENOBUFS || err == EAGAIN) {
    e = SendError::NoBufferSpace;
  } else if (err == EMSGSIZE) {
    e = SendError::MessageTooLong;
    mtu_stale_ = true;  // the MTU shrank: read it again before the next packet
  } else if (err == ENETDOWN || err == ENXIO || err == ENODEV) {
    e = SendError::InterfaceDown;
  }
  ++errors_[static_cast<std::size_t>(e)];
}

void AfPacketForwarder::flush() {
  const std::size_t n = staged_count_;
  staged_count_ = 0;
  for (std::size_t i = 0; i < n; ++i) {
    Frame& f = staged_[i];
    auto& iov = iovs_[i];
    std::size_t parts = 0;
    iov[parts++] = {f.header.data(), f.header.size()};
    if (f.ip_header_length != 0) iov[parts++] = {f.ip_header.data(), f.ip_header_length};
    iov[parts++] = {const_cast<std::uint8_t*>(f.data.data()), f.data.size()};
    std::memset(&msgs_[i], 0, sizeof(msgs_[i]));
    msgs_[i].msg_hdr.msg_iov = iov.data();
    msgs_[i].msg_hdr.msg_iovlen = parts;
  }
  std::size_t done = 0;
  while (done < n) {
    const int r =
        sendmmsg(socket_.fd.get(), msgs_.data() + done, static_cast<unsigned>(n - done), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      count_error(errno);  // the first unsent frame failed; skip it and go on
      ++done;
    } else {
      done += static_cast<std::size_t>(r);
      sent_ += static_cast<std::uint64_t>(r);
    }
  }
}

}  // namespace lvs::io
