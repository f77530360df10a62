#include "io/verdict_batch.h"

#include <algorithm>

namespace lvs::io {

VerdictBatch::VerdictBatch(std::uint16_t queue_first, std::size_t queue_count,
                           std::size_t batch_size)
    : queue_first_(queue_first), drop_upto_(queue_count) {
  accepts_.reserve(batch_size);
}

void VerdictBatch::clear() {
  accepts_.clear();
  std::fill(drop_upto_.begin(), drop_upto_.end(), std::nullopt);
}

void VerdictBatch::accept(const QueuedPacket& packet) {
  accepts_.push_back({packet.queue, packet.id});  // within the reserved capacity
}

void VerdictBatch::drop(const QueuedPacket& packet) {
  const std::size_t q = static_cast<std::size_t>(packet.queue - queue_first_);
  if (q >= drop_upto_.size()) return;
  auto& upto = drop_upto_[q];
  if (!upto || NfqueueReceiver::id_after(packet.id, *upto)) upto = packet.id;
}

void VerdictBatch::send(NfqueueReceiver& receiver) const {
  receiver.send_verdicts(accepts_, drop_upto_);
}

}  // namespace lvs::io
