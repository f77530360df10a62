// IPv4 fragmentation of a datagram too large for the outgoing link, as the kernel's slow path
// does it (net/ipv4/ip_output.c: ip_frag_init() / ip_frag_next() behind ip_do_fragment()). Pure:
// the caller's packet is never written; each fragment is a new header (built here) plus a slice
// of the original payload, so a sender can gather header and slice without copying the payload.
//
// The rules, each as ip_frag_next() has it:
// - every fragment but the last carries a multiple of 8 payload bytes, as many as fit in
//   `max_fragment_size` (the MTU, or the original fragment size when known: frag_max_size);
// - the fragment offset field is the payload's offset in 8-byte units, continuing from the
//   packet's own offset (a fragment can be fragmented again);
// - MF is set on every fragment but the last, and on the last too when the packet itself was not
//   the datagram's last fragment (state->not_last_frag); DF is clear (frag_off is rewritten);
// - the first fragment carries every option; the others carry the options whose copied flag is
//   set and NOPs in place of the rest (ip_options_fragment()), so every header has the same
//   length as the original;
// - total length and header checksum are recomputed for each fragment (ip_send_check()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace lvs {

// Why a packet cannot be fragmented (it is then not sent; the caller counts it).
enum class FragmentError : std::uint8_t {
  Malformed,     // not an IPv4 header with a consistent IHL and total length
  SizeTooSmall,  // max_fragment_size leaves fewer than 8 payload bytes after the header
};
std::string_view fragment_error_name(FragmentError error);

struct Ipv4Fragment {
  std::array<std::uint8_t, 60> header_storage{};
  std::uint8_t header_length = 0;
  std::span<const std::uint8_t> payload;  // a slice of the original packet's payload

  std::span<const std::uint8_t> header() const {
    return std::span(header_storage).first(header_length);
  }
  std::size_t size() const { return header_length + payload.size(); }
};

class Ipv4Fragmenter {
 public:
  // `packet` is an IPv4 packet (header with options, payload; link padding beyond the total
  // length is ignored). It must stay valid while fragments are taken. `max_fragment_size` is the
  // largest fragment in bytes, header included.
  Ipv4Fragmenter(std::span<const std::uint8_t> packet, std::size_t max_fragment_size);

  // Set when the packet cannot be fragmented; next() then yields nothing.
  bool ok() const { return !error_set_; }
  FragmentError error() const { return error_; }

  // The next fragment into `out`; false once the whole payload has been handed out.
  bool next(Ipv4Fragment& out);

 private:
  std::span<const std::uint8_t> packet_;
  std::size_t header_length_ = 0;
  std::size_t data_space_ = 0;  // payload bytes per fragment (mtu - hlen), before 8-alignment
  std::size_t position_ = 0;    // payload bytes handed out so far
  std::size_t payload_length_ = 0;
  std::size_t base_offset_ = 0;  // the packet's own fragment offset, in bytes
  bool not_last_frag_ = false;   // the packet's own MF
  bool first_ = true;
  std::array<std::uint8_t, 60> later_header_{};  // header for fragments after the first
  bool error_set_ = false;
  FragmentError error_ = FragmentError::Malformed;
};

// Every fragment of `packet` as a whole packet (header + payload), for tests and tools. Empty if
// the packet cannot be fragmented.
std::vector<std::vector<std::uint8_t>> fragment_ipv4(std::span<const std::uint8_t> packet,
                                                     std::size_t max_fragment_size);

}  // namespace lvs
