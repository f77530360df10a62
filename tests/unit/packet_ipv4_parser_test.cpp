// parse_ipv4_packet() on hand-built packets: every accept path (TCP, UDP, IP and TCP options,
// first fragments, link padding), the TCP flag combinations the state machine cares about, host
// byte order of addresses and ports, and each ParseError reason with its metric label.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "packet/internet_checksum.h"
#include "packet/ipv4_parser.h"
#include "packet/parse_error.h"

namespace lvs {
namespace {

using Bytes = std::vector<std::uint8_t>;

// 10.200.0.10:40000 -> 10.200.0.100:80, TCP SYN, no options: the lab client opening a connection.
const Bytes kTcpSyn = {
    // IPv4 header
    0x45, 0x00, 0x00, 0x28,  // version 4, IHL 5 (20 bytes), TOS 0, total length 40
    0x12, 0x34, 0x40, 0x00,  // id 0x1234, flags DF, fragment offset 0
    0x40, 0x06, 0x12, 0x9f,  // TTL 64, protocol 6 (TCP), header checksum 0x129f
    0x0a, 0xc8, 0x00, 0x0a,  // source 10.200.0.10
    0x0a, 0xc8, 0x00, 0x64,  // destination 10.200.0.100
    // TCP header
    0x9c, 0x40, 0x00, 0x50,  // source port 40000, destination port 80
    0x00, 0x00, 0x00, 0x01,  // sequence number
    0x00, 0x00, 0x00, 0x00,  // acknowledgment number
    0x50, 0x02, 0xfa, 0xf0,  // data offset 5 (20 bytes), flags SYN, window 64240
    0x00, 0x00, 0x00, 0x00,  // checksum (not checked), urgent pointer
};
constexpr std::size_t kTcpFlagsAt = 20 + 13;

// 10.200.0.10:5353 -> 10.200.0.100:53, UDP with a 4-byte payload.
const Bytes kUdp = {
    0x45, 0x00, 0x00, 0x20,  // version 4, IHL 5, total length 32
    0x12, 0x34, 0x40, 0x00,  // id, DF
    0x40, 0x11, 0x12, 0x9c,  // TTL 64, protocol 17 (UDP), header checksum 0x129c
    0x0a, 0xc8, 0x00, 0x0a,  // source 10.200.0.10
    0x0a, 0xc8, 0x00, 0x64,  // destination 10.200.0.100
    0x14, 0xe9, 0x00, 0x35,  // source port 5353, destination port 53
    0x00, 0x0c, 0x00, 0x00,  // UDP length 12 (8 header + 4 payload), checksum 0 (none)
    'p',  'i',  'n',  'g',   // payload
};

// The SYN above with a 4-byte IP option block (IHL 6): NOP, NOP, NOP, End of Options List.
const Bytes kTcpSynIpOptions = {
    0x46, 0x00, 0x00, 0x2c,  // version 4, IHL 6 (24 bytes), total length 44
    0x12, 0x34, 0x40, 0x00,  // id, DF
    0x40, 0x06, 0x0f, 0x9a,  // TTL 64, TCP, header checksum 0x0f9a (covers the options)
    0x0a, 0xc8, 0x00, 0x0a,  // source 10.200.0.10
    0x0a, 0xc8, 0x00, 0x64,  // destination 10.200.0.100
    0x01, 0x01, 0x01, 0x00,  // options: NOP NOP NOP EOL
    0x9c, 0x40, 0x00, 0x50,  // TCP at offset 24: ports 40000 -> 80
    0x00, 0x00, 0x00, 0x01,  //
    0x00, 0x00, 0x00, 0x00,  //
    0x50, 0x02, 0xfa, 0xf0,  // data offset 5, SYN
    0x00, 0x00, 0x00, 0x00,  //
};

// A SYN as Linux sends it: 20 bytes of TCP options (data offset 10).
const Bytes kTcpSynTcpOptions = {
    0x45, 0x00, 0x00, 0x3c,  // version 4, IHL 5, total length 60
    0x12, 0x34, 0x40, 0x00,  // id, DF
    0x40, 0x06, 0x12, 0x8b,  // TTL 64, TCP, header checksum 0x128b
    0x0a, 0xc8, 0x00, 0x0a,  // source 10.200.0.10
    0x0a, 0xc8, 0x00, 0x64,  // destination 10.200.0.100
    0x9c, 0x40, 0x00, 0x50,  // ports 40000 -> 80
    0x00, 0x00, 0x00, 0x01,  // sequence
    0x00, 0x00, 0x00, 0x00,  // acknowledgment
    0xa0, 0x02, 0xfa, 0xf0,  // data offset 10 (40 bytes), SYN
    0x00, 0x00, 0x00, 0x00,  // checksum, urgent
    0x02, 0x04, 0x05, 0xb4,  // MSS 1460
    0x04, 0x02, 0x08, 0x0a,  // SACK permitted; timestamps (kind 8, length 10) ...
    0x00, 0x00, 0x00, 0x01,  // ... TSval
    0x00, 0x00, 0x00, 0x00,  // ... TSecr
    0x01, 0x03, 0x03, 0x07,  // NOP; window scale 7
};

ParseResult parse(const Bytes& bytes, bool verify_checksum = false) {
  return parse_ipv4_packet(bytes, ParseOptions{.verify_header_checksum = verify_checksum});
}

// The refusal reason's label, or "ok": failures print a readable name.
std::string outcome(const ParseResult& result) {
  return result.ok() ? "ok" : std::string(parse_error_name(*result.error));
}

Bytes with_byte(Bytes bytes, std::size_t at, std::uint8_t value) {
  bytes.at(at) = value;
  return bytes;
}

Bytes with_be16(Bytes bytes, std::size_t at, std::uint16_t value) {
  bytes.at(at) = static_cast<std::uint8_t>(value >> 8);
  bytes.at(at + 1) = static_cast<std::uint8_t>(value);
  return bytes;
}

Bytes truncated(Bytes bytes, std::size_t size) {
  bytes.resize(size);
  return bytes;
}

// --- sanity of the hand-written checksums --------------------------------------------------------

TEST(PacketInternetChecksum, MatchesAPublishedExample) {
  // The worked example from the Wikipedia "IPv4 header checksum" article, checksum field zeroed.
  const Bytes header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                        0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(internet_checksum(header), 0xb861);
  EXPECT_EQ(internet_checksum(with_be16(header, 10, 0xb861)), 0);
}

TEST(PacketInternetChecksum, OddLengthPadsWithZero) {
  EXPECT_EQ(internet_checksum(Bytes{0x01}), internet_checksum(Bytes{0x01, 0x00}));
  EXPECT_EQ(internet_checksum(Bytes{}), 0xffff);
}

TEST(PacketInternetChecksum, HandBuiltHeadersAreValid) {
  for (const Bytes* packet : {&kTcpSyn, &kUdp, &kTcpSynTcpOptions}) {
    EXPECT_EQ(internet_checksum(std::span(*packet).first(20)), 0);
  }
  EXPECT_EQ(internet_checksum(std::span(kTcpSynIpOptions).first(24)), 0);
}

// --- accepted packets ----------------------------------------------------------------------------

TEST(PacketIpv4Parser, TcpSynFieldsInHostByteOrder) {
  for (bool verify : {false, true}) {
    const ParseResult result = parse(kTcpSyn, verify);
    ASSERT_TRUE(result.ok()) << outcome(result);
    const ParsedPacket& p = result.packet;
    EXPECT_EQ(p.info.protocol, kProtoTcp);
    EXPECT_EQ(p.info.saddr, 0x0ac8000au);  // 10.200.0.10
    EXPECT_EQ(p.info.sport, 40000);
    EXPECT_EQ(p.info.daddr, 0x0ac80064u);  // 10.200.0.100
    EXPECT_EQ(p.info.dport, 80);
    EXPECT_TRUE(p.tcp_flags.syn);
    EXPECT_FALSE(p.tcp_flags.ack);
    EXPECT_FALSE(p.tcp_flags.fin);
    EXPECT_FALSE(p.tcp_flags.rst);
    EXPECT_EQ(p.ip_total_length, 40);
    EXPECT_EQ(p.l4_offset, 20);
    EXPECT_FALSE(p.more_fragments);  // DF only
  }
}

TEST(PacketIpv4Parser, ByteOrderOfEveryAddressByte) {
  // 1.2.3.4:258 -> 5.6.7.8:772: a swapped or shifted byte would show.
  Bytes b = kTcpSyn;
  for (std::size_t i = 0; i < 8; ++i) b[12 + i] = static_cast<std::uint8_t>(i + 1);
  b = with_be16(with_be16(b, 20, 0x0102), 22, 0x0304);
  const ParseResult result = parse(b);
  ASSERT_TRUE(result.ok()) << outcome(result);
  EXPECT_EQ(result.packet.info.saddr, 0x01020304u);
  EXPECT_EQ(result.packet.info.daddr, 0x05060708u);
  EXPECT_EQ(result.packet.info.sport, 0x0102);
  EXPECT_EQ(result.packet.info.dport, 0x0304);
}

struct FlagCase {
  const char* name;
  std::uint8_t byte;  // TCP header byte 13: CWR ECE URG ACK PSH RST SYN FIN
  TcpFlags expected;
};

TEST(PacketIpv4Parser, TcpFlagCombinations) {
  const FlagCase cases[] = {
      {"SYN", 0x02, {.syn = true}},
      {"SYN+ACK", 0x12, {.syn = true, .ack = true}},
      {"ACK", 0x10, {.ack = true}},
      {"PSH+ACK", 0x18, {.ack = true}},
      {"FIN+ACK", 0x11, {.ack = true, .fin = true}},
      {"FIN", 0x01, {.fin = true}},
      {"RST", 0x04, {.rst = true}},
      {"RST+ACK", 0x14, {.ack = true, .rst = true}},
      {"none", 0x00, {}},
      {"URG+PSH only", 0x28, {}},
      {"SYN+ECE+CWR (ECN setup)", 0xc2, {.syn = true}},
      {"all eight", 0xff, {.syn = true, .ack = true, .fin = true, .rst = true}},
  };
  for (const FlagCase& c : cases) {
    const ParseResult result = parse(with_byte(kTcpSyn, kTcpFlagsAt, c.byte));
    ASSERT_TRUE(result.ok()) << c.name << ": " << outcome(result);
    EXPECT_EQ(result.packet.tcp_flags.syn, c.expected.syn) << c.name;
    EXPECT_EQ(result.packet.tcp_flags.ack, c.expected.ack) << c.name;
    EXPECT_EQ(result.packet.tcp_flags.fin, c.expected.fin) << c.name;
    EXPECT_EQ(result.packet.tcp_flags.rst, c.expected.rst) << c.name;
  }
}

TEST(PacketIpv4Parser, IpOptionsMoveTheL4Header) {
  for (bool verify : {false, true}) {
    const ParseResult result = parse(kTcpSynIpOptions, verify);
    ASSERT_TRUE(result.ok()) << outcome(result);
    EXPECT_EQ(result.packet.l4_offset, 24);
    EXPECT_EQ(result.packet.ip_total_length, 44);
    EXPECT_EQ(result.packet.info.sport, 40000);  // read at 24, not 20 (where 0x0101 sits)
    EXPECT_EQ(result.packet.info.dport, 80);
    EXPECT_TRUE(result.packet.tcp_flags.syn);
  }
}

TEST(PacketIpv4Parser, TcpOptionsAreSkippedNotParsed) {
  for (bool verify : {false, true}) {
    const ParseResult result = parse(kTcpSynTcpOptions, verify);
    ASSERT_TRUE(result.ok()) << outcome(result);
    EXPECT_EQ(result.packet.l4_offset, 20);
    EXPECT_EQ(result.packet.ip_total_length, 60);
    EXPECT_EQ(result.packet.info.sport, 40000);
    EXPECT_TRUE(result.packet.tcp_flags.syn);
  }
}

TEST(PacketIpv4Parser, LargestHeaders) {
  // IHL 15 (60 bytes: 40 bytes of NOP options) + TCP data offset 15 (60 bytes): 120 bytes.
  Bytes b(120, 0x01);
  const Bytes ip = {0x4f, 0x00, 0x00, 0x78,  // IHL 15, total length 120
                    0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00,
                    0x0a, 0xc8, 0x00, 0x0a, 0x0a, 0xc8, 0x00, 0x64};
  std::copy(ip.begin(), ip.end(), b.begin());
  const Bytes tcp = {0x9c, 0x40, 0x00, 0x50, 0,    0,    0, 1, 0, 0,
                     0,    0,    0xf0, 0x10, 0xff, 0xff, 0, 0, 0, 0};  // data offset 15, ACK
  std::copy(tcp.begin(), tcp.end(), b.begin() + 60);
  const ParseResult result = parse(b);
  ASSERT_TRUE(result.ok()) << outcome(result);
  EXPECT_EQ(result.packet.l4_offset, 60);
  EXPECT_EQ(result.packet.ip_total_length, 120);
  EXPECT_TRUE(result.packet.tcp_flags.ack);
  EXPECT_EQ(result.packet.info.dport, 80);
  // One byte less and the TCP header no longer fits.
  EXPECT_EQ(outcome(parse(with_be16(truncated(b, 119), 2, 119))), "truncated_l4");
}

TEST(PacketIpv4Parser, TcpWithPayload) {
  Bytes b = with_be16(kTcpSyn, 2, 45);  // total length 45: 5 bytes of data
  b = with_byte(b, kTcpFlagsAt, 0x18);  // PSH+ACK
  for (char c : std::string("hello")) b.push_back(static_cast<std::uint8_t>(c));
  const ParseResult result = parse(b);
  ASSERT_TRUE(result.ok()) << outcome(result);
  EXPECT_EQ(result.packet.ip_total_length, 45);
  EXPECT_TRUE(result.packet.tcp_flags.ack);
}

TEST(PacketIpv4Parser, Udp) {
  for (bool verify : {false, true}) {
    const ParseResult result = parse(kUdp, verify);
    ASSERT_TRUE(result.ok()) << outcome(result);
    const ParsedPacket& p = result.packet;
    EXPECT_EQ(p.info.protocol, kProtoUdp);
    EXPECT_EQ(p.info.saddr, 0x0ac8000au);
    EXPECT_EQ(p.info.sport, 5353);
    EXPECT_EQ(p.info.daddr, 0x0ac80064u);
    EXPECT_EQ(p.info.dport, 53);
    EXPECT_FALSE(p.tcp_flags.syn || p.tcp_flags.ack || p.tcp_flags.fin || p.tcp_flags.rst);
    EXPECT_EQ(p.ip_total_length, 32);
    EXPECT_EQ(p.l4_offset, 20);
  }
}

TEST(PacketIpv4Parser, UdpLengthShorterThanPayloadIsAccepted) {
  // The kernel trims the IP payload to the UDP length (pskb_trim_rcsum in __udp4_lib_rcv).
  EXPECT_EQ(outcome(parse(with_be16(kUdp, 24, 8))), "ok");  // header only, 4 trailing bytes
  EXPECT_EQ(outcome(parse(with_be16(kUdp, 24, 11))), "ok");
}

TEST(PacketIpv4Parser, UdpHeaderWithoutPayload) {
  Bytes b = with_be16(with_be16(truncated(kUdp, 28), 2, 28), 24, 8);  // total 28, UDP length 8
  EXPECT_EQ(outcome(parse(b)), "ok");
}

TEST(PacketIpv4Parser, BytesPastTotalLengthAreNotPartOfThePacket) {
  // Ethernet pads short frames to 60 bytes; a capture may carry the padding.
  Bytes b = kTcpSyn;
  b.resize(60, 0xee);
  const ParseResult result = parse(b, true);
  ASSERT_TRUE(result.ok()) << outcome(result);
  EXPECT_EQ(result.packet.ip_total_length, 40);
}

TEST(PacketIpv4Parser, FirstFragmentIsParsedAndMarked) {
  // MF set, offset 0: the TCP header is here, the rest of the segment follows in fragments.
  const ParseResult tcp = parse(with_be16(kTcpSyn, 6, 0x2000));
  ASSERT_TRUE(tcp.ok()) << outcome(tcp);
  EXPECT_TRUE(tcp.packet.more_fragments);
  EXPECT_EQ(tcp.packet.info.dport, 80);

  // A UDP first fragment: the UDP length covers the whole datagram (1000 bytes), not this
  // fragment's 12 bytes, and is accepted.
  const ParseResult udp = parse(with_be16(with_be16(kUdp, 6, 0x2000), 24, 1000));
  ASSERT_TRUE(udp.ok()) << outcome(udp);
  EXPECT_TRUE(udp.packet.more_fragments);
  EXPECT_EQ(udp.packet.info.dport, 53);
}

TEST(PacketIpv4Parser, ReservedFlagBitIsIgnored) {
  // RFC 791's reserved bit: the kernel ignores it, so does the director.
  EXPECT_EQ(outcome(parse(with_be16(kTcpSyn, 6, 0x8000))), "ok");
}

// --- refused packets, one reason at a time ------------------------------------------------------

TEST(PacketIpv4Parser, Truncated) {
  EXPECT_EQ(outcome(parse(Bytes{})), "truncated");
  EXPECT_EQ(outcome(parse(Bytes{0x45})), "truncated");
  EXPECT_EQ(outcome(parse(truncated(kTcpSyn, 19))), "truncated");
  EXPECT_EQ(*parse(truncated(kTcpSyn, 19)).error, ParseError::Truncated);
}

TEST(PacketIpv4Parser, NotIpv4) {
  EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 0, 0x65))), "not_ipv4");  // IPv6's version nibble
  EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 0, 0x05))), "not_ipv4");  // version 0
  EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 0, 0xf5))), "not_ipv4");  // version 15
  EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 0, 0x55))), "not_ipv4");  // version 5
}

TEST(PacketIpv4Parser, BadHeaderLength) {
  for (std::uint8_t ihl = 0; ihl < 5; ++ihl) {
    EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 0, 0x40 | ihl))), "bad_header_length") << int(ihl);
  }
  // IHL 6 says 24 header bytes, only 20 were captured.
  EXPECT_EQ(outcome(parse(truncated(with_byte(kTcpSyn, 0, 0x46), 20))), "bad_header_length");
  // IHL 15 (60 bytes) on a 40-byte capture.
  EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 0, 0x4f))), "bad_header_length");
}

TEST(PacketIpv4Parser, BadTotalLength) {
  EXPECT_EQ(outcome(parse(with_be16(kTcpSyn, 2, 0))), "bad_total_length");
  EXPECT_EQ(outcome(parse(with_be16(kTcpSyn, 2, 19))), "bad_total_length");  // < IHL*4 (20)
  EXPECT_EQ(outcome(parse(with_be16(kTcpSynIpOptions, 2, 22))), "bad_total_length");  // < 24
  EXPECT_EQ(outcome(parse(with_be16(kTcpSyn, 2, 41))), "bad_total_length");  // > 40 captured
  EXPECT_EQ(outcome(parse(with_be16(kTcpSyn, 2, 0xffff))), "bad_total_length");
  // A copy range that cut the packet short: the header says 40, 30 bytes arrived.
  EXPECT_EQ(outcome(parse(truncated(kTcpSyn, 30))), "bad_total_length");
}

TEST(PacketIpv4Parser, BadChecksumOnlyWhenAskedToVerify) {
  const Bytes corrupted = with_byte(kTcpSyn, 8, 0x3f);  // TTL changed, checksum not updated
  EXPECT_EQ(outcome(parse(corrupted, true)), "bad_checksum");
  EXPECT_EQ(outcome(parse(with_be16(kTcpSyn, 10, 0x129e), true)), "bad_checksum");
  // The default trusts ip_rcv_core(), which verified it before the queue.
  EXPECT_EQ(outcome(parse(corrupted, false)), "ok");
  // The checksum covers the options too.
  EXPECT_EQ(outcome(parse(with_byte(kTcpSynIpOptions, 23, 0x01), true)), "bad_checksum");
  // And not the L4 header.
  EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 30, 0x99), true)), "ok");
}

TEST(PacketIpv4Parser, UnsupportedProtocol) {
  // ICMP echo request to the VIP (protocol 1), GRE (47), SCTP (132), IPv6-in-IPv4 (41), 0.
  for (std::uint8_t protocol : {1, 47, 132, 41, 0, 255}) {
    EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 9, protocol))), "unsupported_protocol")
        << int(protocol);
  }
}

TEST(PacketIpv4Parser, NonFirstFragmentIsRefused) {
  // Offset 1 (8 bytes in), with MF, with DF; the offset's top bit alone (32768 bytes in), with
  // MF; the largest offset. None has an L4 header.
  for (std::uint16_t field : {0x0001, 0x2001, 0x4001, 0x1000, 0x3000, 0x1fff, 0x3fff}) {
    EXPECT_EQ(outcome(parse(with_be16(kTcpSyn, 6, field))), "fragment") << field;
    EXPECT_EQ(outcome(parse(with_be16(kUdp, 6, field))), "fragment") << field;
  }
  // A non-first fragment that is only 20 + 8 bytes long is still a fragment, not truncated L4.
  const Bytes tiny = with_be16(with_be16(truncated(kTcpSyn, 28), 2, 28), 6, 0x0001);
  EXPECT_EQ(outcome(parse(tiny)), "fragment");
}

TEST(PacketIpv4Parser, TruncatedL4) {
  // TCP: 19 bytes of header inside the IP payload.
  EXPECT_EQ(outcome(parse(with_be16(truncated(kTcpSyn, 39), 2, 39))), "truncated_l4");
  // TCP: no L4 bytes at all.
  EXPECT_EQ(outcome(parse(with_be16(truncated(kTcpSyn, 20), 2, 20))), "truncated_l4");
  // TCP: data offset 6 (24 bytes) but only 20 in the payload.
  EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 32, 0x60))), "truncated_l4");
  // TCP: the Linux SYN with its options cut by the total length (header says 40, 36 present).
  EXPECT_EQ(outcome(parse(with_be16(kTcpSynTcpOptions, 2, 56))), "truncated_l4");
  // The TCP header was captured but lies past the total length: not part of the packet.
  EXPECT_EQ(outcome(parse(with_be16(kTcpSyn, 2, 20))), "truncated_l4");
  // UDP: 7 bytes.
  EXPECT_EQ(outcome(parse(with_be16(truncated(kUdp, 27), 2, 27))), "truncated_l4");
  // A first fragment must carry the whole TCP header (RFC 1858 tiny fragments).
  EXPECT_EQ(outcome(parse(with_be16(with_be16(truncated(kTcpSyn, 28), 2, 28), 6, 0x2000))),
            "truncated_l4");
}

TEST(PacketIpv4Parser, BadTcpHeaderLength) {
  for (std::uint8_t offset = 0; offset < 5; ++offset) {
    EXPECT_EQ(outcome(parse(with_byte(kTcpSyn, 32, static_cast<std::uint8_t>(offset << 4)))),
              "bad_tcp_header_length")
        << int(offset);
  }
}

TEST(PacketIpv4Parser, BadUdpLength) {
  EXPECT_EQ(outcome(parse(with_be16(kUdp, 24, 0))), "bad_udp_length");
  EXPECT_EQ(outcome(parse(with_be16(kUdp, 24, 7))), "bad_udp_length");
  EXPECT_EQ(outcome(parse(with_be16(kUdp, 24, 13))), "bad_udp_length");  // payload is 12
  EXPECT_EQ(outcome(parse(with_be16(kUdp, 24, 0xffff))), "bad_udp_length");
  // Even a first fragment's UDP length must cover the UDP header.
  EXPECT_EQ(outcome(parse(with_be16(with_be16(kUdp, 6, 0x2000), 24, 7))), "bad_udp_length");
}

// --- the metric labels -----------------------------------------------------------------------

TEST(PacketParseError, StableSnakeCaseNames) {
  // Part of the metrics interface (lvs_forward_errors_total{reason}): changing one breaks
  // dashboards and alerts. Extend the list, never edit it.
  const std::vector<std::pair<ParseError, std::string>> expected = {
      {ParseError::Truncated, "truncated"},
      {ParseError::NotIpv4, "not_ipv4"},
      {ParseError::BadHeaderLength, "bad_header_length"},
      {ParseError::BadTotalLength, "bad_total_length"},
      {ParseError::BadChecksum, "bad_checksum"},
      {ParseError::UnsupportedProtocol, "unsupported_protocol"},
      {ParseError::Fragment, "fragment"},
      {ParseError::TruncatedL4, "truncated_l4"},
      {ParseError::BadTcpHeaderLength, "bad_tcp_header_length"},
      {ParseError::BadUdpLength, "bad_udp_length"},
  };
  ASSERT_EQ(expected.size(), kParseErrorCount);
  ASSERT_EQ(parse_errors().size(), kParseErrorCount);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(parse_errors()[i], expected[i].first) << i;
    EXPECT_EQ(static_cast<std::size_t>(expected[i].first), i);  // usable as a counter index
    EXPECT_EQ(parse_error_name(expected[i].first), expected[i].second);
    EXPECT_FALSE(parse_error_description(expected[i].first).empty());
  }
}

TEST(PacketParseError, NamesAreUniqueAndPrometheusSafe) {
  std::set<std::string_view> seen;
  for (ParseError e : parse_errors()) {
    const std::string_view name = parse_error_name(e);
    EXPECT_TRUE(seen.insert(name).second) << name;
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
}

}  // namespace
}  // namespace lvs
