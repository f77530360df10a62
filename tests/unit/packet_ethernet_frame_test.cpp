// build_ethernet_frame(): the exact bytes of a direct-routing frame (dst = real server MAC,
// src = director MAC, ethertype 0x0800, IP packet unchanged), the buffer-size boundary, and that
// nothing outside the frame is written.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "packet/ethernet_frame.h"

namespace lvs {
namespace {

using Bytes = std::vector<std::uint8_t>;

const MacAddress kRealServer = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};  // rs1 in the lab config
const MacAddress kDirector = {0x8e, 0x12, 0x41, 0xb4, 0x45, 0x32};

// 10.200.0.10:40000 -> 10.200.0.100:80 SYN (see packet_ipv4_parser_test.cpp for the fields).
const Bytes kTcpSyn = {0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06,
                       0x12, 0x9f, 0x0a, 0xc8, 0x00, 0x0a, 0x0a, 0xc8, 0x00, 0x64,
                       0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
                       0x00, 0x00, 0x50, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00};

TEST(PacketEthernetFrame, ExactBytes) {
  Bytes buffer(2048, 0xaa);
  const FrameResult result = build_ethernet_frame(kRealServer, kDirector, kTcpSyn, buffer);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.length, 54u);
  const Bytes expected = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b,  // destination: the real server
                          0x8e, 0x12, 0x41, 0xb4, 0x45, 0x32,  // source: the director
                          0x08, 0x00,                          // ethertype IPv4, big-endian
                          // the IP packet, byte for byte
                          0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x12, 0x9f,
                          0x0a, 0xc8, 0x00, 0x0a, 0x0a, 0xc8, 0x00, 0x64, 0x9c, 0x40, 0x00, 0x50,
                          0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xfa, 0xf0,
                          0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + 54), expected);
  // Nothing written past the frame.
  for (std::size_t i = 54; i < buffer.size(); ++i) ASSERT_EQ(buffer[i], 0xaa) << i;
}

TEST(PacketEthernetFrame, HeaderAlone) {
  const EthernetHeader header = ethernet_header(kRealServer, kDirector);
  const EthernetHeader expected = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x8e,
                                   0x12, 0x41, 0xb4, 0x45, 0x32, 0x08, 0x00};
  EXPECT_EQ(header, expected);
}

TEST(PacketEthernetFrame, IpPacketIsNotAltered) {
  const Bytes original = kTcpSyn;
  Bytes packet = kTcpSyn;
  Bytes buffer(100);
  ASSERT_TRUE(build_ethernet_frame(kRealServer, kDirector, packet, buffer).ok());
  EXPECT_EQ(packet, original);  // TTL and checksum untouched: DR does not route, it bridges
  EXPECT_EQ(Bytes(buffer.begin() + 14, buffer.begin() + 54), original);
}

TEST(PacketEthernetFrame, ExactlySizedBufferFits) {
  Bytes buffer(14 + kTcpSyn.size());
  const FrameResult result = build_ethernet_frame(kRealServer, kDirector, kTcpSyn, buffer);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.length, buffer.size());
  EXPECT_EQ(buffer.back(), kTcpSyn.back());
}

TEST(PacketEthernetFrame, OneByteShortIsRefusedAndUntouched) {
  for (std::size_t size : {std::size_t{53}, std::size_t{14}, std::size_t{13}, std::size_t{0}}) {
    Bytes buffer(size, 0xaa);
    const FrameResult result = build_ethernet_frame(kRealServer, kDirector, kTcpSyn, buffer);
    ASSERT_FALSE(result.ok()) << size;
    EXPECT_EQ(*result.error, FrameError::BufferTooSmall);
    EXPECT_EQ(result.length, 0u);
    EXPECT_EQ(buffer, Bytes(size, 0xaa)) << size;
  }
  EXPECT_EQ(frame_error_name(FrameError::BufferTooSmall), "buffer_too_small");
}

TEST(PacketEthernetFrame, EmptyPacketGivesTheHeaderOnly) {
  Bytes buffer(14, 0xaa);
  const FrameResult result = build_ethernet_frame(kRealServer, kDirector, {}, buffer);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.length, 14u);
  EXPECT_EQ(buffer[13], 0x00);
  EXPECT_EQ(buffer[12], 0x08);
}

TEST(PacketEthernetFrame, FullSizePacket) {
  // A 1500-byte MTU packet makes a 1514-byte frame.
  Bytes packet(1500);
  for (std::size_t i = 0; i < packet.size(); ++i) packet[i] = static_cast<std::uint8_t>(i * 7);
  Bytes buffer(1514);
  const FrameResult result = build_ethernet_frame(kRealServer, kDirector, packet, buffer);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.length, 1514u);
  EXPECT_EQ(Bytes(buffer.begin() + 14, buffer.end()), packet);
  EXPECT_FALSE(
      build_ethernet_frame(kRealServer, kDirector, packet, std::span(buffer).first(1513)).ok());
}

}  // namespace
}  // namespace lvs
