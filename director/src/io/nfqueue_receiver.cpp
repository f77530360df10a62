#include "io/nfqueue_receiver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cstring>

namespace lvs::io {

namespace {

// Room for one netlink message carrying a packet of `copy_range` bytes plus its attributes.
constexpr std::size_t kMessageOverhead = 4096;
// One verdict message (header + nfgenmsg + verdict attribute), rounded up generously.
constexpr std::size_t kVerdictMessageSize = 128;

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

NfqueueReceiver::NfqueueReceiver(base::UniqueMnlSocket sock, NfqueueOptions options)
    : sock_(std::move(sock)), options_(options) {
  // Slots start on a 64-byte boundary: netlink headers and attributes are read in place and
  // need 4-byte alignment (a slot of 0xffff + overhead bytes would misalign every other one).
  rx_slot_size_ = (options_.copy_range + kMessageOverhead + 63) & ~std::size_t{63};
  rx_buffers_.resize(rx_slot_size_ * options_.batch_size);
  rx_msgs_.resize(options_.batch_size);
  rx_iovs_.resize(options_.batch_size);
  for (std::size_t i = 0; i < options_.batch_size; ++i) {
    rx_iovs_[i].iov_base = rx_buffers_.data() + i * rx_slot_size_;
    rx_iovs_[i].iov_len = rx_slot_size_;
    std::memset(&rx_msgs_[i], 0, sizeof(rx_msgs_[i]));
    rx_msgs_[i].msg_hdr.msg_iov = &rx_iovs_[i];
    rx_msgs_[i].msg_hdr.msg_iovlen = 1;
  }
  tx_buffer_.resize((options_.batch_size + queue_count()) * kVerdictMessageSize);
}

std::variant<NfqueueReceiver, std::string> NfqueueReceiver::open(const NfqueueOptions& options) {
  if (options.queue_last < options.queue_first || options.batch_size == 0) {
    return std::string("nfqueue: invalid queue range or batch size");
  }
  base::UniqueMnlSocket sock(mnl_socket_open(NETLINK_NETFILTER));
  if (!sock) {
    return "nfqueue: cannot open a NETLINK_NETFILTER socket: " + errno_text(errno);
  }
  if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return "nfqueue: cannot bind the netlink socket: " + errno_text(errno);
  }
  NfqueueReceiver receiver(std::move(sock), options);
  receiver.portid_ = mnl_socket_get_portid(receiver.sock_.get());
  const int fd = receiver.fd();

  int one = 1;
  if (mnl_socket_setsockopt(receiver.sock_.get(), NETLINK_NO_ENOBUFS, &one, sizeof(one)) < 0) {
    return "nfqueue: cannot set NETLINK_NO_ENOBUFS: " + errno_text(errno);
  }
  int size = options.receive_buffer_bytes;
  // RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN; fall back to what is allowed.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  }
  socklen_t len = sizeof(receiver.rcvbuf_);
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiver.rcvbuf_, &len);

  for (std::uint32_t q = options.queue_first; q <= options.queue_last; ++q) {
    std::string err = receiver.configure_queue(static_cast<std::uint16_t>(q));
    if (!err.empty()) return err;
  }
  return receiver;
}

std::string NfqueueReceiver::send_config(std::uint16_t queue, void* buffer, const char* what) {
  auto* nlh = static_cast<nlmsghdr*>(buffer);
  nlh->nlmsg_flags |= NLM_F_ACK;
  nlh->nlmsg_seq = ++seq_;
  if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0) {
    return "nfqueue: queue " + std::to_string(queue) + ": cannot send " + what + ": " +
           errno_text(errno);
  }
  // Wait for the ack (no rules point at the queue yet, so no packet can arrive first).
  char reply[MNL_SOCKET_BUFFER_SIZE];
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_.get(), reply, sizeof(reply));
    if (n < 0) {
      if (errno == EINTR) continue;
      return "nfqueue: queue " + std::to_string(queue) + ": no reply to " + what + ": " +
             errno_text(errno);
    }
    int r = mnl_cb_run(reply, static_cast<std::size_t>(n), seq_, portid_, nullptr, nullptr);
    if (r == MNL_CB_ERROR) {
      int err = errno;
      std::string hint;
      // The kernel answers EPERM both without CAP_NET_ADMIN and when another socket already
      // holds the queue (nfqnl_recv_config(): instance->peer_portid != our portid).
      if (err == EPERM || err == EBUSY) {
        hint =
            " (needs root/CAP_NET_ADMIN; if running as root, another process is bound to this"
            " queue: stop it or pick another `queue:`)";
      }
      return "nfqueue: queue " + std::to_string(queue) + ": " + what +
             " refused: " + errno_text(err) + hint;
    }
    if (r == MNL_CB_STOP) return {};
  }
}

std::string NfqueueReceiver::configure_queue(std::uint16_t queue) {
  alignas(nlmsghdr) char buf[MNL_SOCKET_BUFFER_SIZE];

  nlmsghdr* nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
  nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
  if (auto err = send_config(queue, buf, "bind"); !err.empty()) return err;

  nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
  nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, static_cast<int>(options_.copy_range));
  nfq_nlmsg_cfg_put_qmaxlen(nlh, options_.queue_maxlen);
  // Flags explicitly cleared: no fail-open (see the header), no GSO, no conntrack info.
  mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(0));
  mnl_attr_put_u32(nlh, NFQA_CFG_MASK,
                   htonl(NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_CONNTRACK | NFQA_CFG_F_GSO));
  return send_config(queue, buf, "copy mode and queue length");
}

NfqueueReceiver::~NfqueueReceiver() {
  if (!sock_) return;
  alignas(nlmsghdr) char buf[256];
  for (std::uint32_t q = options_.queue_first; q <= options_.queue_last; ++q) {
    nlmsghdr* nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, static_cast<std::uint16_t>(q));
    nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_UNBIND);
    mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len);
  }
}

int NfqueueReceiver::fd() const { return mnl_socket_get_fd(sock_.get()); }

std::size_t NfqueueReceiver::receive_batch(std::span<QueuedPacket> out) {
  const std::size_t want = std::min(out.size(), rx_msgs_.size());
  if (want == 0) return 0;
  for (std::size_t i = 0; i < want; ++i) rx_msgs_[i].msg_hdr.msg_flags = 0;
  int got = recvmmsg(fd(), rx_msgs_.data(), static_cast<unsigned>(want), MSG_DONTWAIT, nullptr);
  if (got < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ++counters_.receive_errors;
    return 0;
  }
  std::size_t n = 0;
  nlattr* attr[NFQA_MAX + 1];
  for (int i = 0; i < got; ++i) {
    const auto* data =
        static_cast<const std::uint8_t*>(rx_iovs_[static_cast<std::size_t>(i)].iov_base);
    int remaining = static_cast<int>(rx_msgs_[static_cast<std::size_t>(i)].msg_len);
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(data);
    for (; mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        ++counters_.netlink_errors;
        continue;
      }
      if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFQNL_MSG_PACKET) continue;
      std::memset(attr, 0, sizeof(attr));
      if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == nullptr ||
          attr[NFQA_PAYLOAD] == nullptr || n >= out.size()) {
        ++counters_.malformed;
        continue;
      }
      const auto* nfg = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
      const auto* ph =
          static_cast<const nfqnl_msg_packet_hdr*>(mnl_attr_get_payload(attr[NFQA_PACKET_HDR]));
      QueuedPacket& p = out[n++];
      p.id = ntohl(ph->packet_id);
      p.queue = ntohs(nfg->res_id);
      p.mark = attr[NFQA_MARK] != nullptr ? ntohl(mnl_attr_get_u32(attr[NFQA_MARK])) : 0;
      p.payload = {static_cast<const std::uint8_t*>(mnl_attr_get_payload(attr[NFQA_PAYLOAD])),
                   mnl_attr_get_payload_len(attr[NFQA_PAYLOAD])};
    }
  }
  counters_.packets += n;
  return n;
}

void NfqueueReceiver::send_verdicts(std::span<const AcceptedPacket> accept,
                                    std::span<const std::optional<std::uint32_t>> drop_upto) {
  std::size_t offset = 0;
  auto room = [&] { return offset + kVerdictMessageSize <= tx_buffer_.size(); };
  auto flush = [&] {
    if (offset == 0) return;
    if (mnl_socket_sendto(sock_.get(), tx_buffer_.data(), offset) < 0) ++counters_.verdict_errors;
    offset = 0;
  };
  auto put = [&](int type, std::uint16_t queue, std::uint32_t id, int verdict) {
    if (!room()) flush();
    nlmsghdr* nlh = nfq_nlmsg_put(reinterpret_cast<char*>(tx_buffer_.data() + offset), type, queue);
    nfq_nlmsg_verdict_put(nlh, static_cast<int>(id), verdict);
    offset += NLMSG_ALIGN(nlh->nlmsg_len);
  };
  for (const auto& a : accept) {
    put(NFQNL_MSG_VERDICT, a.queue, a.id, NF_ACCEPT);
    ++counters_.single_verdicts;
  }
  for (std::size_t i = 0; i < drop_upto.size(); ++i) {
    if (!drop_upto[i]) continue;
    put(NFQNL_MSG_VERDICT_BATCH, static_cast<std::uint16_t>(options_.queue_first + i),
        *drop_upto[i], NF_DROP);
    ++counters_.batch_verdicts;
  }
  flush();
}

}  // namespace lvs::io
