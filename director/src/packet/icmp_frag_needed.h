// ICMP "destination unreachable, fragmentation needed and DF set" (type 3 code 4, RFC 792, with
// the next-hop MTU of RFC 1191) for a packet the director cannot send whole and may not
// fragment, built as the kernel's icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu))
// builds it when IPVS refuses a packet (ip_vs_xmit.c: ensure_mtu_is_adequate()):
// - IPv4 header: no options, TOS = RT_TOS(original TOS) | IPTOS_PREC_INTERNETCONTROL, TTL 64
//   (ip_default_ttl), DF clear (the ICMP socket's IP_PMTUDISC_DONT), ID 0 (the raw socket that
//   sends it fills one in, as ip_select_ident() does), source = the original destination (the
//   VIP: icmp_send() answers from the address the packet was sent to when that is local),
//   destination = the original source;
// - ICMP header: type 3, code 4, 16 unused bits, the MTU in the low 16 bits of the second word;
// - the quote: the original packet from its IP header on, as much as fits in 576 bytes in all
//   (icmp_send()'s `room`), so never less than its header and 8 bytes of payload (RFC 792).
// Not answered, as icmp_send() refuses them: a non-first fragment, an ICMP packet, a source that
// is not a unicast host address (0.0.0.0/8, 127/8, multicast, 240/4 and broadcast).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lvs {

inline constexpr std::size_t kIcmpErrorMaxSize = 576;  // the whole ICMP error, IP header included
inline constexpr std::uint8_t kIcmpDestUnreach = 3;
inline constexpr std::uint8_t kIcmpFragNeeded = 4;

// Writes the ICMP error for `original` (an IPv4 packet, as received) into `out`, which must hold
// kIcmpErrorMaxSize bytes, and returns its length; 0 when no ICMP is to be sent (see above).
std::size_t build_fragmentation_needed(std::span<const std::uint8_t> original, std::uint16_t mtu,
                                       std::span<std::uint8_t> out);

}  // namespace lvs
