// The agent's refusals to start (issue 6 item 4): a VIP on an ARP-capable interface, a VIP
// device that answers ARP, a missing interface, no CAP_NET_ADMIN; and its command line.
#include <gtest/gtest.h>

#include "core/agent_options.h"
#include "core/startup_checks.h"

namespace lvs::agent {
namespace {

constexpr Ipv4 kVip = 0x0ac80064;  // 10.200.0.100

LinkFacts link(int ifindex, std::string name) {
  LinkFacts l;
  l.ifindex = ifindex;
  l.name = std::move(name);
  return l;
}

DesiredState lab() {
  config::AgentConfig c;
  c.vips = {kVip};
  return desired_state_for(c);
}

TEST(AgentStartupChecks, VipOnEth0IsRefusedWithTheFix) {
  const std::vector<AddressFacts> addrs{
      {1, "lo", kVip, 32, false}, {2, "eth0", 0x0ac8000b, 24, true}, {2, "eth0", kVip, 32, true}};
  const auto m = find_misplaced_vips(lab(), addrs);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], (MisplacedVip{kVip, "eth0"}));
  const auto why = refuse_misplaced_vips(m);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("VIP 10.200.0.100 is configured on eth0, a non-loopback interface"),
            std::string::npos);
  EXPECT_NE(why->find("ip addr del 10.200.0.100/32 dev eth0"), std::string::npos);
}

TEST(AgentStartupChecks, VipOnLoopbackOrNoarpDeviceIsFine) {
  const std::vector<AddressFacts> addrs{{1, "lo", kVip, 32, false}, {3, "dummy0", kVip, 32, false}};
  EXPECT_TRUE(find_misplaced_vips(lab(), addrs).empty());
  EXPECT_FALSE(refuse_misplaced_vips({}));
}

TEST(AgentStartupChecks, VipDeviceMustBeLoopbackOrDummy) {
  const auto d = lab();
  LinkFacts lo{1, "lo", true, true, true, ""};
  LinkFacts dummy{3, "lo", false, true, true, "dummy"};
  LinkFacts veth{2, "lo", false, false, true, "veth"};
  EXPECT_FALSE(refuse_vip_device(d, &lo));
  EXPECT_FALSE(refuse_vip_device(d, &dummy));
  EXPECT_FALSE(refuse_vip_device(d, nullptr));  // absent: the agent creates a dummy
  auto why = refuse_vip_device(d, &veth);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("a veth device, not loopback or dummy"), std::string::npos);
}

TEST(AgentStartupChecks, MissingInterfaceIsNamed) {
  const auto d = lab();  // interfaces: [eth0]
  EXPECT_FALSE(refuse_missing_interfaces(d, {link(1, "lo"), link(2, "eth0")}));
  auto why = refuse_missing_interfaces(d, {link(1, "lo")});
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("eth0 does not exist"), std::string::npos);
}

TEST(AgentStartupChecks, CapabilitiesFromProcStatus) {
  const std::string root =
      "Name:\tlvs-agent\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
      "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n";
  EXPECT_EQ(parse_effective_capabilities(root), 0x000001ffffffffffull);
  EXPECT_FALSE(refuse_without_net_admin(parse_effective_capabilities(root)));
  const std::string user = "Name:\tlvs-agent\nCapEff:\t0000000000000000\n";
  auto why = refuse_without_net_admin(parse_effective_capabilities(user));
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("lacks CAP_NET_ADMIN"), std::string::npos);
  EXPECT_TRUE(refuse_without_net_admin(std::nullopt));
  EXPECT_FALSE(parse_effective_capabilities("Name:\tx\n"));
  EXPECT_FALSE(parse_effective_capabilities("CapEff:\tzz\n"));
  // Only CAP_NET_ADMIN (bit 12).
  EXPECT_FALSE(refuse_without_net_admin(0x1000));
}

TEST(AgentOptions, Parse) {
  auto ok = parse_agent_options({"--config", "a.yaml", "--cleanup"});
  ASSERT_TRUE(std::holds_alternative<AgentOptions>(ok));
  EXPECT_EQ(std::get<AgentOptions>(ok).config_path, "a.yaml");
  EXPECT_TRUE(std::get<AgentOptions>(ok).cleanup);
  auto check = parse_agent_options({"--config=b.yaml", "--check"});
  ASSERT_TRUE(std::holds_alternative<AgentOptions>(check));
  EXPECT_TRUE(std::get<AgentOptions>(check).check_only);
  EXPECT_EQ(std::get<std::string>(parse_agent_options({})), "--config FILE is required");
  EXPECT_EQ(std::get<std::string>(parse_agent_options({"--config"})), "--config needs a FILE");
  EXPECT_EQ(std::get<std::string>(parse_agent_options({"--config", "a", "-x"})),
            "unknown argument '-x'");
  EXPECT_TRUE(std::holds_alternative<std::string>(
      parse_agent_options({"--config", "a", "--check", "--cleanup"})));
}

}  // namespace
}  // namespace lvs::agent
