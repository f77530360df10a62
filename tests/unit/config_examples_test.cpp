// Every file in config/examples/ loads without a single error (agent files — "agent" in the
// name — with the agent loader, the rest with the director loader), and the files other parts
// rely on (the lab, the simulator demo) say what those parts expect.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/loader.h"

namespace lvs::config {
namespace {

using ::testing::SizeIs;

const std::filesystem::path kExamples = std::filesystem::path(LVS_SOURCE_DIR) / "config/examples";

template <typename Config>
std::string describe_errors(const LoadResult<Config>& result) {
  std::string out;
  if (auto* errors = std::get_if<std::vector<ConfigError>>(&result)) {
    for (const auto& e : *errors) out += e.to_string() + "\n";
  }
  return out;
}

DirectorConfig load_director(const std::string& name) {
  auto result = load_director_config_file((kExamples / name).string());
  EXPECT_TRUE(std::holds_alternative<DirectorConfig>(result)) << describe_errors(result);
  return std::holds_alternative<DirectorConfig>(result) ? std::get<DirectorConfig>(result)
                                                        : DirectorConfig{};
}

TEST(ConfigExamples, EveryExampleLoadsCleanly) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
    const auto& path = entry.path();
    if (path.extension() != ".yaml" && path.extension() != ".yml") continue;
    names.push_back(path.filename().string());
    if (path.filename().string().find("agent") != std::string::npos) {
      auto result = load_agent_config_file(path.string());
      EXPECT_TRUE(std::holds_alternative<AgentConfig>(result)) << path << ":\n"
                                                               << describe_errors(result);
    } else {
      auto result = load_director_config_file(path.string());
      EXPECT_TRUE(std::holds_alternative<DirectorConfig>(result)) << path << ":\n"
                                                                  << describe_errors(result);
    }
  }
  // The files named by DESIGN.md and the simulator demo are all there.
  for (const char* required : {"lab.yaml", "lab-agent.yaml", "full.yaml", "schedulers.yaml"}) {
    EXPECT_THAT(names, ::testing::Contains(required));
  }
}

TEST(ConfigExamples, LabMatchesTheNamespaceLab) {
  DirectorConfig config = load_director("lab.yaml");
  EXPECT_EQ(config.director.interface, "eth0");
  EXPECT_EQ(config.director.vip_mode, VipMode::External);
  ASSERT_THAT(config.services, SizeIs(2));
  EXPECT_EQ(config.services[0].key.to_string(), "tcp/10.200.0.100:80");
  EXPECT_EQ(config.services[1].key.to_string(), "udp/10.200.0.100:9000");
  for (const auto& service : config.services) {
    ASSERT_THAT(service.real_servers, SizeIs(3));
    std::vector<std::int32_t> weights;
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(service.real_servers[i].address.addr, 0x0ac8000bu + i);  // .11 .12 .13
      weights.push_back(service.real_servers[i].weight);
    }
    EXPECT_NE(weights[0], weights[1]);
    EXPECT_NE(weights[1], weights[2]);
  }
}

TEST(ConfigExamples, LabAgentHoldsTheVipOnLo) {
  auto result = load_agent_config_file((kExamples / "lab-agent.yaml").string());
  ASSERT_TRUE(std::holds_alternative<AgentConfig>(result)) << describe_errors(result);
  const AgentConfig& agent = std::get<AgentConfig>(result);
  EXPECT_EQ(agent.vips, std::vector<Ipv4>{0x0ac80064});
  EXPECT_EQ(agent.vip_device, "lo");
  EXPECT_EQ(agent.interfaces, std::vector<std::string>{"eth0"});
  EXPECT_EQ(agent.arp_ignore, 1u);
  EXPECT_EQ(agent.arp_announce, 2u);
}

TEST(ConfigExamples, SchedulersHasOneServicePerSchedulerOnPorts8001To8014) {
  DirectorConfig config = load_director("schedulers.yaml");
  const std::vector<std::string> schedulers = {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
                                               "sh", "sed", "nq", "fo",  "ovf",  "mh",    "twos"};
  ASSERT_THAT(config.services, SizeIs(schedulers.size()));
  for (std::size_t i = 0; i < schedulers.size(); ++i) {
    const ServiceConfig& service = config.services[i];
    EXPECT_EQ(service.scheduler, schedulers[i]);
    EXPECT_EQ(service.key.protocol, ServiceProtocol::Tcp);
    EXPECT_EQ(service.key.vip, (Endpoint{0x0ac80064, static_cast<std::uint16_t>(8001 + i)}));
    ASSERT_THAT(service.real_servers, SizeIs(3));
    for (std::size_t j = 0; j < 3; ++j) {
      EXPECT_EQ(service.real_servers[j].address,
                (Endpoint{static_cast<Ipv4>(0x0ac8000b + j), service.key.vip.port}));
      EXPECT_EQ(service.real_servers[j].weight, static_cast<std::int32_t>(3 - j));
    }
  }
}

TEST(ConfigExamples, FullUsesEveryDirectorKey) {
  // Every value in full.yaml that differs from the model default shows the key was read.
  DirectorConfig config = load_director("full.yaml");
  EXPECT_EQ(config.director.queue_last, 3);
  EXPECT_EQ(config.director.connection_limit, 1048576u);
  ASSERT_THAT(config.services, SizeIs(1));
  const ServiceConfig& service = config.services[0];
  EXPECT_EQ(service.scheduler, "sh");
  EXPECT_TRUE(service.sched_port);
  EXPECT_EQ(service.persistent, 300u);
  EXPECT_TRUE(service.health_check.has_value());
  ASSERT_THAT(service.real_servers, SizeIs(1));
  EXPECT_TRUE(service.real_servers[0].mac.has_value());
  EXPECT_EQ(service.real_servers[0].u_threshold, 1000u);
  EXPECT_EQ(service.real_servers[0].l_threshold, 750u);
}

}  // namespace
}  // namespace lvs::config
