#include "base/nft_batch.h"

#include <algorithm>

namespace lvs::base {

NftBatchWriter::NftBatchWriter(std::uint16_t family, std::uint32_t first_seq)
    : family_(family), seq_(first_seq) {
  batch_.begin_seq = seq_;
  append(nftnl_batch_begin(scratch(), seq_++));
}

NftBatch NftBatchWriter::finish() && {
  if (!batch_.commands.empty()) {
    auto* last = reinterpret_cast<nlmsghdr*>(batch_.bytes.data() + last_offset_);
    last->nlmsg_flags |= NLM_F_ACK;
  }
  batch_.end_seq = seq_;
  append(nftnl_batch_end(scratch(), seq_++));
  return std::move(batch_);
}

char* NftBatchWriter::scratch() {
  // Zero what the previous message used (the rest still is), as libnftnl expects a clean buffer.
  std::fill_n(buffer_.begin(), dirty_, '\0');
  dirty_ = buffer_.size();  // until append() learns how much this message takes
  return buffer_.data();
}

void NftBatchWriter::append(const nlmsghdr* nlh) {
  last_offset_ = batch_.bytes.size();
  dirty_ = std::min<std::size_t>(NLMSG_ALIGN(nlh->nlmsg_len), buffer_.size());
  const auto* p = reinterpret_cast<const std::uint8_t*>(nlh);
  batch_.bytes.insert(batch_.bytes.end(), p, p + NLMSG_ALIGN(nlh->nlmsg_len));
}

}  // namespace lvs::base
