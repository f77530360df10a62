// The director's end of NFQUEUE, on libnetfilter_queue's libmnl API: one netlink socket bound
// to every queue of the configured range (one worker handles them all for now; a worker per
// queue is a later step), packets copied whole, many packets per wakeup, verdicts batched.
//
// Why these settings:
// - NETLINK_NO_ENOBUFS: without it a full receive buffer makes the next recv() fail with ENOBUFS
//   and the packets are lost anyway; with it the kernel counts them (queue_user_dropped in
//   /proc/net/netfilter/nfnetlink_queue, see nfqueue_stats.h) and we never stall on an error.
// - An 8 MiB receive buffer (SO_RCVBUFFORCE when privileged, else SO_RCVBUF up to rmem_max):
//   absorbs bursts while a batch is being forwarded.
// - No NFQA_CFG_F_FAIL_OPEN: matches the rules' no-bypass (io/nft_rules.h) — a full queue drops,
//   it never hands VIP packets to the director's own stack.
// - No NFQA_CFG_F_GSO: the kernel segments GSO packets before queueing, so every queued packet is
//   a wire-sized IP packet the director can resend unchanged.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/unique_nftnl.h"

namespace lvs::io {

struct NfqueueOptions {
  std::uint16_t queue_first = 0;
  std::uint16_t queue_last = 0;
  std::uint32_t queue_maxlen = 4096;           // packets the kernel holds per queue
  std::uint32_t copy_range = 0xffff;           // bytes of each packet copied to us
  int receive_buffer_bytes = 8 * 1024 * 1024;  // SO_RCVBUF(FORCE)
  std::size_t batch_size = 64;                 // packets per receive_batch()
};

// One queued packet, valid until the next receive_batch().
struct QueuedPacket {
  std::uint32_t id = 0;                   // the kernel's packet id (per queue)
  std::uint16_t queue = 0;                // the queue it came from
  std::uint32_t mark = 0;                 // skb->mark (fwmark services)
  std::span<const std::uint8_t> payload;  // the IP packet (up to copy_range bytes)
};

struct NfqueueCounters {
  std::uint64_t packets = 0;          // packets received
  std::uint64_t receive_errors = 0;   // recvmmsg failures other than EAGAIN/EINTR
  std::uint64_t malformed = 0;        // messages without id or payload
  std::uint64_t netlink_errors = 0;   // NLMSG_ERROR replies (e.g. a verdict the kernel refused)
  std::uint64_t verdict_errors = 0;   // sendto failures for verdicts
  std::uint64_t batch_verdicts = 0;   // NFQNL_MSG_VERDICT_BATCH messages sent
  std::uint64_t single_verdicts = 0;  // NFQNL_MSG_VERDICT messages sent
};

class NfqueueReceiver {
 public:
  // Opens the socket, binds every queue in the range and configures it. Errors name the queue
  // and what to do (e.g. another process holds the queue; not root).
  static std::variant<NfqueueReceiver, std::string> open(const NfqueueOptions& options);

  NfqueueReceiver(NfqueueReceiver&&) noexcept = default;
  NfqueueReceiver& operator=(NfqueueReceiver&&) noexcept = default;
  NfqueueReceiver(const NfqueueReceiver&) = delete;
  NfqueueReceiver& operator=(const NfqueueReceiver&) = delete;
  // Unbinds the queues (the socket's close would too; this makes it explicit and immediate).
  ~NfqueueReceiver();

  int fd() const;
  // Reads up to batch_size packets without blocking (one recvmmsg). Returns how many were
  // stored in `out` (0: nothing pending). No allocation.
  std::size_t receive_batch(std::span<QueuedPacket> out);

  // Verdicts for one batch, sent in a single sendto(): first an NF_ACCEPT per id in `accept`
  // (they must precede the batch verdict, which covers every id up to its own), then, per
  // queue, one NFQNL_MSG_VERDICT_BATCH NF_DROP with the highest id the batch saw.
  // `drop_upto[q - queue_first]` holds that id per queue, or nullopt for none.
  struct AcceptedPacket {
    std::uint16_t queue;
    std::uint32_t id;
  };
  void send_verdicts(std::span<const AcceptedPacket> accept,
                     std::span<const std::optional<std::uint32_t>> drop_upto);

  std::uint16_t queue_first() const { return options_.queue_first; }
  std::uint16_t queue_last() const { return options_.queue_last; }
  std::size_t queue_count() const {
    return static_cast<std::size_t>(options_.queue_last - options_.queue_first) + 1;
  }
  const NfqueueCounters& counters() const { return counters_; }
  // Packet ids are per-queue serial numbers that wrap (++id_sequence, 0 included): `a` is later
  // than `b` by serial-number arithmetic, as the kernel's batch verdict compares them.
  static bool id_after(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(a - b) > 0;
  }
  int receive_buffer_bytes() const { return rcvbuf_; }

 private:
  NfqueueReceiver(base::UniqueMnlSocket sock, NfqueueOptions options);
  std::string configure_queue(std::uint16_t queue);
  std::string send_config(std::uint16_t queue, void* nlh_buffer, const char* what);

  base::UniqueMnlSocket sock_;
  NfqueueOptions options_;
  std::uint32_t portid_ = 0;
  std::uint32_t seq_ = 0;
  int rcvbuf_ = 0;
  // Preallocated receive slots and verdict buffer: the hot path never allocates.
  std::vector<std::uint8_t> rx_buffers_;
  std::size_t rx_slot_size_ = 0;
  std::vector<struct mmsghdr> rx_msgs_;
  std::vector<struct iovec> rx_iovs_;
  std::vector<std::uint8_t> tx_buffer_;
  NfqueueCounters counters_;
};

}  // namespace lvs::io
