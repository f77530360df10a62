#include "io/af_packet_forwarder.h"

#include <errno.h>
#include <linux/if_packet.h>

#include <algorithm>
#include <cstring>

namespace lvs::io {

std::string_view send_error_name(SendError error) {
  // In enum order (the metric label values: add at the end, never rename).
  constexpr std::array<std::string_view, kSendErrorCount> kNames = {
      "send_no_buffer_space", "send_message_too_long", "send_interface_down", "send_other"};
  const auto i = static_cast<std::size_t>(error);
  return i < kNames.size() ? kNames[i] : "send_other";
}

AfPacketForwarder::AfPacketForwarder(PacketSocket socket, std::string interface,
                                     std::size_t batch_size)
    : socket_(std::move(socket)), interface_(std::move(interface)) {
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
  AfPacketForwarder f(std::move(std::get<PacketSocket>(opened)), interface, batch_size);
  int one = 1;
  // Not fatal: without it frames go through the qdisc, which is slower but correct.
  f.qdisc_bypass_ =
      setsockopt(f.socket_.fd.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) == 0;
  return f;
}

void AfPacketForwarder::forward(std::span<const std::uint8_t> ip_packet,
                                const MacAddress& next_hop) {
  if (staged_count_ == staged_.size()) flush();
  staged_[staged_count_++] = {ethernet_header(next_hop, socket_.mac), ip_packet};
}

void AfPacketForwarder::count_error(int err) {
  SendError e = SendError::Other;
  if (err == ENOBUFS || err == EAGAIN)
    e = SendError::NoBufferSpace;
  else if (err == EMSGSIZE)
    e = SendError::MessageTooLong;
  else if (err == ENETDOWN || err == ENXIO || err == ENODEV)
    e = SendError::InterfaceDown;
  ++errors_[static_cast<std::size_t>(e)];
}

void AfPacketForwarder::flush() {
  const std::size_t n = staged_count_;
  staged_count_ = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto& iov = iovs_[i];
    iov[0].iov_base = staged_[i].header.data();
    iov[0].iov_len = staged_[i].header.size();
    iov[1].iov_base = const_cast<std::uint8_t*>(staged_[i].ip_packet.data());
    iov[1].iov_len = staged_[i].ip_packet.size();
    std::memset(&msgs_[i], 0, sizeof(msgs_[i]));
    msgs_[i].msg_hdr.msg_iov = iov.data();
    msgs_[i].msg_hdr.msg_iovlen = iov.size();
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
