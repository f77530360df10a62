// The Ethernet+ARP codec: exact bytes of what the director sends, every refusal reason, and a
// fuzz-style pass over random, mutated and truncated frames (each placed in an allocation of
// exactly its size, so the ASan build catches any read past the end) compared with a separate
// reading of the same rules.
#include "packet/arp_frame.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <vector>

namespace lvs {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr MacAddress kOurMac{0x02, 0, 0, 0, 0, 0x02};
constexpr MacAddress kRsMac{0x02, 0, 0, 0, 0, 0x0b};
constexpr Ipv4 kDirector = 0x0ac80002;  // 10.200.0.2
constexpr Ipv4 kRs1 = 0x0ac8000b;       // 10.200.0.11
constexpr Ipv4 kVip = 0x0ac80064;       // 10.200.0.100

Bytes to_bytes(const ArpFrameBytes& f) { return Bytes(f.begin(), f.end()); }

// Parses a copy held in an allocation of exactly its size.
ArpParseResult parse_exact(const Bytes& bytes) {
  auto copy = std::make_unique<std::uint8_t[]>(bytes.size() == 0 ? 1 : bytes.size());
  std::copy(bytes.begin(), bytes.end(), copy.get());
  return parse_arp_frame(std::span<const std::uint8_t>(copy.get(), bytes.size()));
}

TEST(ArpFrame, BroadcastRequestHasTheKernelsLayout) {
  const Bytes got = to_bytes(build_arp_frame(arp_request(kOurMac, kDirector, kRs1)));
  const Bytes want = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // to broadcast
      0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // from us
      0x08, 0x06,                          // ETH_P_ARP
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04,  // Ethernet, IPv4, 6, 4
      0x00, 0x01,                          // request
      0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // sender MAC
      0x0a, 0xc8, 0x00, 0x02,              // sender IP 10.200.0.2
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // target MAC unknown
      0x0a, 0xc8, 0x00, 0x0b,              // target IP 10.200.0.11
  };
  EXPECT_EQ(got, want);
}

TEST(ArpFrame, UnicastProbeGoesToTheCachedMac) {
  const ArpPacket a = arp_request(kOurMac, kDirector, kRs1, kRsMac);
  EXPECT_EQ(a.eth_destination, kRsMac);
  EXPECT_EQ(a.target_mac, MacAddress{});
  const Bytes f = to_bytes(build_arp_frame(a));
  EXPECT_TRUE(std::equal(kRsMac.begin(), kRsMac.end(), f.begin()));
}

TEST(ArpFrame, ReplyProbeAndGratuitousFields) {
  const ArpPacket reply = arp_reply(kOurMac, kVip, kRsMac, kRs1);
  EXPECT_EQ(reply.op, ArpOp::Reply);
  EXPECT_EQ(reply.eth_destination, kRsMac);
  EXPECT_EQ(reply.target_mac, kRsMac);
  EXPECT_EQ(reply.target_ip, kRs1);
  EXPECT_EQ(reply.sender_ip, kVip);

  const ArpPacket probe = arp_probe(kOurMac, kVip);  // arping -D
  EXPECT_EQ(probe.op, ArpOp::Request);
  EXPECT_EQ(probe.sender_ip, 0u);
  EXPECT_EQ(probe.target_ip, kVip);
  EXPECT_EQ(probe.target_mac, MacAddress{});
  EXPECT_EQ(probe.eth_destination, kBroadcastMac);

  const ArpPacket announce = arp_gratuitous(kOurMac, kVip);  // arping -U
  EXPECT_EQ(announce.op, ArpOp::Request);
  EXPECT_EQ(announce.sender_ip, kVip);
  EXPECT_EQ(announce.target_ip, kVip);
  EXPECT_EQ(announce.target_mac, MacAddress{});
  EXPECT_EQ(announce.eth_destination, kBroadcastMac);

  const ArpPacket garp_reply = arp_gratuitous(kOurMac, kVip, ArpOp::Reply);  // arping -A
  EXPECT_EQ(garp_reply.op, ArpOp::Reply);
  EXPECT_EQ(garp_reply.target_mac, kOurMac);  // what arp_is_garp() wants of a reply
  EXPECT_EQ(garp_reply.eth_destination, kBroadcastMac);
}

TEST(ArpFrame, RoundTripsEveryBuilder) {
  for (const ArpPacket& a :
       {arp_request(kOurMac, kDirector, kRs1), arp_request(kOurMac, kDirector, kRs1, kRsMac),
        arp_reply(kRsMac, kRs1, kOurMac, kDirector), arp_probe(kOurMac, kVip),
        arp_gratuitous(kOurMac, kVip), arp_gratuitous(kOurMac, kVip, ArpOp::Reply)}) {
    const auto r = parse_exact(to_bytes(build_arp_frame(a)));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.packet.eth_destination, a.eth_destination);
    EXPECT_EQ(r.packet.eth_source, a.eth_source);
    EXPECT_EQ(r.packet.op, a.op);
    EXPECT_EQ(r.packet.sender_mac, a.sender_mac);
    EXPECT_EQ(r.packet.sender_ip, a.sender_ip);
    EXPECT_EQ(r.packet.target_mac, a.target_mac);
    EXPECT_EQ(r.packet.target_ip, a.target_ip);
  }
}

TEST(ArpFrame, PaddingToTheEthernetMinimumIsIgnored) {
  const ArpFrameBytes frame = build_arp_frame(arp_reply(kRsMac, kRs1, kOurMac, kDirector));
  Bytes f(60, 0xaa);
  std::copy(frame.begin(), frame.end(), f.begin());
  const auto r = parse_exact(f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.packet.target_ip, kDirector);
}

TEST(ArpFrame, EveryRefusalReason) {
  const Bytes good = to_bytes(build_arp_frame(arp_request(kOurMac, kDirector, kRs1)));
  auto with = [&](std::size_t at, std::uint8_t v) {
    Bytes b = good;
    b[at] = v;
    return parse_exact(b).error;
  };
  EXPECT_EQ(parse_exact(Bytes{}).error, ArpParseError::Truncated);
  EXPECT_EQ(parse_exact(Bytes(good.begin(), good.begin() + 21)).error, ArpParseError::Truncated);
  EXPECT_EQ(with(13, 0x00), ArpParseError::NotArp);  // 0x0800: IPv4
  EXPECT_EQ(with(15, 0x07), ArpParseError::UnsupportedHardware);
  EXPECT_EQ(with(17, 0xdd), ArpParseError::UnsupportedProtocol);  // 0x08dd
  EXPECT_EQ(with(18, 8), ArpParseError::BadAddressLength);
  EXPECT_EQ(with(19, 16), ArpParseError::BadAddressLength);
  EXPECT_EQ(with(21, 3), ArpParseError::UnsupportedOperation);  // RARP request
  EXPECT_EQ(with(21, 0), ArpParseError::UnsupportedOperation);
  EXPECT_EQ(parse_exact(Bytes(good.begin(), good.begin() + 22)).error,
            ArpParseError::TruncatedAddresses);
  EXPECT_EQ(parse_exact(Bytes(good.begin(), good.end() - 1)).error,
            ArpParseError::TruncatedAddresses);
  EXPECT_FALSE(with(15, 0x06).has_value());  // IEEE 802 hardware is taken, as Linux does
}

TEST(ArpFrame, ErrorNamesAreStableAndDistinct) {
  std::set<std::string_view> names;
  for (ArpParseError e : arp_parse_errors()) names.insert(arp_parse_error_name(e));
  EXPECT_EQ(names.size(), kArpParseErrorCount);
  EXPECT_EQ(arp_parse_error_name(ArpParseError::Truncated), "truncated");
  EXPECT_EQ(arp_parse_error_name(ArpParseError::NotArp), "not_arp");
  EXPECT_EQ(arp_parse_error_name(ArpParseError::TruncatedAddresses), "truncated_addresses");
}

// The rules again, written independently of the parser, byte offset by byte offset.
std::optional<ArpParseError> reference(const Bytes& b) {
  if (b.size() < 22) return ArpParseError::Truncated;
  if (b[12] != 0x08 || b[13] != 0x06) return ArpParseError::NotArp;
  if (!(b[14] == 0 && (b[15] == 1 || b[15] == 6))) return ArpParseError::UnsupportedHardware;
  if (b[16] != 0x08 || b[17] != 0x00) return ArpParseError::UnsupportedProtocol;
  if (b[18] != 6 || b[19] != 4) return ArpParseError::BadAddressLength;
  if (!(b[20] == 0 && (b[21] == 1 || b[21] == 2))) return ArpParseError::UnsupportedOperation;
  if (b.size() < 42) return ArpParseError::TruncatedAddresses;
  return std::nullopt;
}

void check_against_reference(const Bytes& b) {
  const auto r = parse_exact(b);
  ASSERT_EQ(r.error, reference(b));
  if (!r.ok()) return;
  // An accepted frame's fields are its bytes.
  const ArpPacket& a = r.packet;
  EXPECT_TRUE(std::equal(a.eth_destination.begin(), a.eth_destination.end(), b.begin()));
  EXPECT_TRUE(std::equal(a.sender_mac.begin(), a.sender_mac.end(), b.begin() + 22));
  EXPECT_EQ(a.sender_ip, (Ipv4{b[28]} << 24) | (Ipv4{b[29]} << 16) | (Ipv4{b[30]} << 8) | b[31]);
  EXPECT_TRUE(std::equal(a.target_mac.begin(), a.target_mac.end(), b.begin() + 32));
  EXPECT_EQ(a.target_ip, (Ipv4{b[38]} << 24) | (Ipv4{b[39]} << 16) | (Ipv4{b[40]} << 8) | b[41]);
  // Rebuilding gives the same 42 bytes (hardware type normalised to Ethernet).
  Bytes rebuilt = to_bytes(build_arp_frame(a));
  Bytes head(b.begin(), b.begin() + 42);
  head[15] = 1;
  EXPECT_EQ(rebuilt, head);
}

TEST(ArpFrame, RandomBytesNeverCrashAndMatchTheRules) {
  std::mt19937_64 rng(0xa4b1e5);  // fixed: a failure reproduces
  std::uniform_int_distribution<int> len(0, 80);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 50'000; ++i) {
    Bytes b(static_cast<std::size_t>(len(rng)));
    for (auto& x : b) x = static_cast<std::uint8_t>(byte(rng));
    // Half the time make the header plausible so the deeper checks are reached.
    if (i % 2 == 0 && b.size() >= 22) {
      b[12] = 0x08, b[13] = 0x06, b[14] = 0, b[15] = 1, b[16] = 0x08, b[17] = 0, b[18] = 6,
      b[19] = 4, b[20] = 0;
    }
    check_against_reference(b);
    if (HasFatalFailure()) return;
  }
}

TEST(ArpFrame, MutatedAndTruncatedValidFramesMatchTheRules) {
  std::mt19937_64 rng(0x5eed);
  const std::vector<Bytes> seeds = {
      to_bytes(build_arp_frame(arp_request(kOurMac, kDirector, kRs1))),
      to_bytes(build_arp_frame(arp_reply(kRsMac, kRs1, kOurMac, kDirector))),
      to_bytes(build_arp_frame(arp_probe(kOurMac, kVip))),
  };
  // Every truncation of every seed.
  for (const Bytes& s : seeds) {
    for (std::size_t n = 0; n <= s.size(); ++n)
      check_against_reference(Bytes(s.begin(), s.begin() + n));
  }
  // Every single-byte value at every header offset.
  for (std::size_t at = 0; at < 22; ++at) {
    for (int v = 0; v < 256; ++v) {
      Bytes b = seeds[0];
      b[at] = static_cast<std::uint8_t>(v);
      check_against_reference(b);
    }
  }
  // Random multi-byte mutations with random lengths.
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 50'000; ++i) {
    Bytes b = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int flips = 1 + i % 4;
    for (int k = 0; k < flips; ++k)
      b[static_cast<std::size_t>(byte(rng)) % b.size()] ^= 1u << (k % 8);
    b.resize(static_cast<std::size_t>(byte(rng)) % 70);
    check_against_reference(b);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace lvs
