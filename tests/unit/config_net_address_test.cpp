// Address parsing and formatting shared by the config loader, lvsadm and the simulator:
// strict dotted quads (no octal surprises), endpoints, MACs, netmasks, and the service-key form
// "tcp/VIP:PORT" / "udp/VIP:PORT" / "fwm/MARK" used in metrics labels and simulator events.
#include <gtest/gtest.h>

#include "config/model.h"
#include "config/net_address.h"

namespace lvs {
namespace {

TEST(ParseIpv4, HostOrderValue) {
  EXPECT_EQ(parse_ipv4("10.200.0.11"), 0x0ac8000bu);
  EXPECT_EQ(parse_ipv4("0.0.0.0"), 0u);
  EXPECT_EQ(parse_ipv4("255.255.255.255"), 0xffffffffu);
  EXPECT_EQ(parse_ipv4("1.2.3.4"), 0x01020304u);
}

TEST(ParseIpv4, RejectsEverythingElse) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1..3.4", "1.2.3.4.", ".1.2.3.4",
                          "010.1.1.1", "1.2.3.04", " 1.2.3.4", "1.2.3.4 ", "+1.2.3.4", "-1.2.3.4",
                          "a.b.c.d", "0x1.2.3.4", "1.2.3.4:80", "4294967296.0.0.0"}) {
    EXPECT_FALSE(parse_ipv4(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(FormatIpv4, DottedQuad) {
  EXPECT_EQ(format_ipv4(0x0ac80064), "10.200.0.100");
  EXPECT_EQ(format_ipv4(0), "0.0.0.0");
  EXPECT_EQ(format_ipv4(0xffffffff), "255.255.255.255");
}

TEST(ParseEndpoint, PortRequiredUnlessOptional) {
  EXPECT_EQ(parse_endpoint("10.200.0.100:80"), (Endpoint{0x0ac80064, 80}));
  EXPECT_EQ(parse_endpoint("10.200.0.100:0"), (Endpoint{0x0ac80064, 0}));
  EXPECT_EQ(parse_endpoint("10.200.0.100:65535"), (Endpoint{0x0ac80064, 65535}));
  EXPECT_FALSE(parse_endpoint("10.200.0.100").has_value());
  EXPECT_EQ(parse_endpoint("10.200.0.100", true), (Endpoint{0x0ac80064, 0}));
  for (const char* bad :
       {"10.200.0.100:", "10.200.0.100:65536", "10.200.0.100:-1", "10.200.0.100:080",
        "10.200.0.100:8a", ":80", "10.200.0.100:80:1", "host:80"}) {
    EXPECT_FALSE(parse_endpoint(bad).has_value()) << bad;
    EXPECT_FALSE(parse_endpoint(bad, true).has_value()) << bad;
  }
}

TEST(FormatEndpoint, AddressColonPort) {
  EXPECT_EQ(format_endpoint({0x0ac8000b, 8080}), "10.200.0.11:8080");
  EXPECT_EQ(format_endpoint({0x0ac8000b, 0}), "10.200.0.11:0");
}

TEST(ParseMac, SixHexPairsAnyCase) {
  EXPECT_EQ(parse_mac("02:00:00:00:00:0b"), (MacAddress{0x02, 0, 0, 0, 0, 0x0b}));
  EXPECT_EQ(parse_mac("8E:12:41:b4:45:32"), (MacAddress{0x8e, 0x12, 0x41, 0xb4, 0x45, 0x32}));
  for (const char* bad :
       {"", "02:00:00:00:00", "02:00:00:00:00:0b:", "02-00-00-00-00-0b", "0200.0000.000b",
        "02:00:00:00:00:0g", "2:0:0:0:0:b", "02:00:00:00:00:0b0"}) {
    EXPECT_FALSE(parse_mac(bad).has_value()) << bad;
  }
}

TEST(FormatMac, LowercaseColonSeparated) {
  EXPECT_EQ(format_mac({0x8e, 0x12, 0x41, 0xb4, 0x45, 0x32}), "8e:12:41:b4:45:32");
  EXPECT_EQ(format_mac({0, 0, 0, 0, 0, 0}), "00:00:00:00:00:00");
}

TEST(ContiguousNetmask, OnesFromTheTop) {
  for (Ipv4 good : {0xffffffffu, 0xffffff00u, 0xffff8000u, 0x80000000u, 0u}) {
    EXPECT_TRUE(is_contiguous_netmask(good)) << std::hex << good;
  }
  for (Ipv4 bad : {0xff00ff00u, 0x00ffffffu, 0xfffffffeu - 1, 0x7fffffffu, 0x00000001u}) {
    EXPECT_FALSE(is_contiguous_netmask(bad)) << std::hex << bad;
  }
}

TEST(ServiceKey, ToStringForms) {
  using config::ServiceKey;
  using config::ServiceProtocol;
  EXPECT_EQ((ServiceKey{ServiceProtocol::Tcp, {0x0ac80064, 80}, 0}).to_string(),
            "tcp/10.200.0.100:80");
  EXPECT_EQ((ServiceKey{ServiceProtocol::Udp, {0x0ac80064, 53}, 0}).to_string(),
            "udp/10.200.0.100:53");
  EXPECT_EQ((ServiceKey{ServiceProtocol::Fwmark, {}, 4294967295u}).to_string(), "fwm/4294967295");
}

TEST(ServiceKey, ParseRoundTripsAndRejectsMalformed) {
  using config::parse_service_key;
  for (const char* text : {"tcp/10.200.0.100:80", "udp/10.200.0.100:9000", "tcp/10.200.0.100:0",
                           "fwm/1", "fwm/4294967295"}) {
    auto key = parse_service_key(text);
    ASSERT_TRUE(key.has_value()) << text;
    EXPECT_EQ(key->to_string(), text);
  }
  auto fwm = parse_service_key("fwm/7");
  ASSERT_TRUE(fwm.has_value());
  EXPECT_EQ(fwm->protocol, config::ServiceProtocol::Fwmark);
  EXPECT_EQ(fwm->fwmark, 7u);
  for (const char* bad : {"", "tcp", "tcp/", "tcp/10.200.0.100", "sctp/10.200.0.100:80",
                          "TCP/10.200.0.100:80", "fwm/", "fwm/0", "fwm/01", "fwm/-1", "fwm/+1",
                          "fwm/4294967296", "fwm/1x", "udp:10.200.0.100:53"}) {
    EXPECT_FALSE(parse_service_key(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace lvs
