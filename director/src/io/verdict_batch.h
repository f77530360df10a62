// The verdicts of one NFQUEUE batch, collected while the batch is decided and sent in one
// sendto() by NfqueueReceiver::send_verdicts(): an NF_ACCEPT per packet the local stack takes
// (they must precede the batch verdict, which covers every id up to its own), then per queue one
// NFQNL_MSG_VERDICT_BATCH NF_DROP up to the highest id the batch saw — packets forwarded (the
// frame left as a copy) and packets refused alike. Sized once per receiver: no allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "io/nfqueue_receiver.h"

namespace lvs::io {

class VerdictBatch {
 public:
  VerdictBatch(const NfqueueReceiver& receiver, std::size_t batch_size)
      : VerdictBatch(receiver.queue_first(), receiver.queue_count(), batch_size) {}
  // For the queues first .. first+count-1.
  VerdictBatch(std::uint16_t queue_first, std::size_t queue_count, std::size_t batch_size);

  void clear();
  // NF_ACCEPT: not ours to schedule, the local stack gets it.
  void accept(const QueuedPacket& packet);
  // NF_DROP: forwarded (we sent a copy) or refused.
  void drop(const QueuedPacket& packet);
  void send(NfqueueReceiver& receiver) const;

  // What send() would send: the NF_ACCEPTs in order, and per queue the highest id to drop.
  const std::vector<NfqueueReceiver::AcceptedPacket>& accepts() const { return accepts_; }
  const std::vector<std::optional<std::uint32_t>>& drop_upto() const { return drop_upto_; }

 private:
  std::uint16_t queue_first_ = 0;
  std::vector<NfqueueReceiver::AcceptedPacket> accepts_;  // capacity: one batch
  std::vector<std::optional<std::uint32_t>> drop_upto_;   // per queue of the range
};

}  // namespace lvs::io
