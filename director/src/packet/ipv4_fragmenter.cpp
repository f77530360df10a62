#include "packet/ipv4_fragmenter.h"

#include <algorithm>
#include <cstring>

#include "packet/byte_order.h"
#include "packet/internet_checksum.h"
#include "packet/ipv4_header.h"

namespace lvs {
namespace {

constexpr std::uint8_t kOptEnd = 0;
constexpr std::uint8_t kOptNoop = 1;

// as ip_options_fragment(): non-copied options become NOPs, so the header length is unchanged.
void blank_uncopied_options(std::uint8_t* options, std::size_t length) {
  std::size_t i = 0;
  while (i < length) {
    const std::uint8_t type = options[i];
    if (type == kOptEnd) return;
    if (type == kOptNoop) {
      ++i;
      continue;
    }
    if (i + 1 >= length) return;
    const std::size_t optlen = options[i + 1];
    if (optlen < 2 || optlen > length - i) return;  // malformed: leave the rest as it is
    if ((type & 0x80) == 0) std::memset(options + i, kOptNoop, optlen);  // IPOPT_COPIED
    i += optlen;
  }
}

}  // namespace

std::string_view fragment_error_name(FragmentError error) {
  switch (error) {
    case FragmentError::Malformed:
      return "malformed";
    case FragmentError::SizeTooSmall:
      return "size_too_small";
  }
  return "malformed";
}

Ipv4Fragmenter::Ipv4Fragmenter(std::span<const std::uint8_t> packet,
                               std::size_t max_fragment_size) {
  const auto lengths = ipv4_lengths(packet);
  if (!lengths) {
    error_set_ = true;
    return;
  }
  header_length_ = lengths->header;
  const std::size_t total = lengths->total;
  if (max_fragment_size < header_length_ + 8) {
    error_set_ = true;
    error_ = FragmentError::SizeTooSmall;
    return;
  }
  packet_ = packet.first(total);
  payload_length_ = total - header_length_;
  data_space_ = max_fragment_size - header_length_;
  const std::uint16_t frag_off = ipv4_fragment_field(packet);
  base_offset_ = static_cast<std::size_t>(frag_off & kIpOffsetMask) * 8;  // ip_frag_init()
  not_last_frag_ = (frag_off & kIpMoreFragments) != 0;
  std::memcpy(later_header_.data(), packet.data(), header_length_);
  blank_uncopied_options(later_header_.data() + kIpv4MinHeaderLength,
                         header_length_ - kIpv4MinHeaderLength);
}

bool Ipv4Fragmenter::next(Ipv4Fragment& out) {
  if (error_set_) return false;
  // A packet with no payload still leaves as one (header-only) fragment.
  if (position_ >= payload_length_ && !(first_ && payload_length_ == 0)) return false;
  const std::size_t left = payload_length_ - position_;
  std::size_t len = std::min(left, data_space_);
  if (len < left) len &= ~std::size_t{7};  // not the end: the next start on an 8-byte boundary

  const std::uint8_t* source = first_ ? packet_.data() : later_header_.data();
  std::memcpy(out.header_storage.data(), source, header_length_);
  out.header_length = static_cast<std::uint8_t>(header_length_);
  out.payload = packet_.subspan(header_length_ + position_, len);

  std::uint8_t* h = out.header_storage.data();
  std::uint16_t frag_off = static_cast<std::uint16_t>((base_offset_ + position_) >> 3);
  position_ += len;
  if (position_ < payload_length_ || not_last_frag_) frag_off |= kIpMoreFragments;
  store_be16(h + kIpFragment, frag_off);
  store_be16(h + kIpTotalLength, static_cast<std::uint16_t>(header_length_ + len));
  store_be16(h + kIpChecksum, 0);
  store_be16(h + kIpChecksum, internet_checksum(std::span<const std::uint8_t>(h, header_length_)));
  first_ = false;
  return true;
}

std::vector<std::vector<std::uint8_t>> fragment_ipv4(std::span<const std::uint8_t> packet,
                                                     std::size_t max_fragment_size) {
  std::vector<std::vector<std::uint8_t>> out;
  Ipv4Fragmenter fragmenter(packet, max_fragment_size);
  Ipv4Fragment f;
  while (fragmenter.next(f)) {
    std::vector<std::uint8_t> bytes(f.header().begin(), f.header().end());
    bytes.insert(bytes.end(), f.payload.begin(), f.payload.end());
    out.push_back(std::move(bytes));
  }
  return out;
}

}  // namespace lvs
