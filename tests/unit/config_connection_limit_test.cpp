// director.connection-limit: read into the model, absent means "derived from memory" (0), range
// 1..16777216 with a one-line error; full.yaml uses it; the Balancer applies it (and the
// memory-derived default) at start and on every apply, as a reload does.
#include <gtest/gtest.h>

#include <string>

#include "balancer/balancer.h"
#include "conn/connection_limit.h"
#include "support/config_yaml.h"

namespace lvs {
namespace {

const std::string kServices = R"(
services:
  - tcp-service: 10.200.0.100:80
    real-servers:
      - {real-server: 10.200.0.11:80, mac: "02:00:00:00:00:0b"}
)";

TEST(ConfigConnectionLimit, ReadAbsentAndOutOfRange) {
  EXPECT_EQ(test::director_config("director: {connection-limit: 5000}" + kServices)
                .director.connection_limit,
            5000u);
  EXPECT_EQ(test::director_config(kServices).director.connection_limit, 0u);
  EXPECT_EQ(test::director_config("director: {connection-limit: 16777216}" + kServices)
                .director.connection_limit,
            16777216u);
  const auto zero = test::load_errors(
      config::load_director_config_string("director: {connection-limit: 0}" + kServices, "t.yaml"));
  ASSERT_EQ(zero.size(), 1u);
  EXPECT_EQ(zero[0],
            "t.yaml:1:30: director.connection-limit: must be an integer 1..16777216, got \"0\" "
            "(out of range)");
  const auto big = test::load_errors(config::load_director_config_string(
      "director: {connection-limit: 16777217}" + kServices, "t.yaml"));
  ASSERT_EQ(big.size(), 1u);
  EXPECT_NE(big[0].find("director.connection-limit"), std::string::npos);
}

TEST(ConfigConnectionLimit, TheBalancerAppliesItAndTheDefaultOnEveryApply) {
  Balancer balancer(0);
  NeighbourEvents events;
  balancer.set_memory_total(8ull << 30);
  balancer.apply(test::director_config(kServices), 0, 0, events);
  EXPECT_EQ(balancer.dispatcher().connection_limit(), 8388608u);  // 8 GiB / 16 / 64 B
  balancer.apply(test::director_config("director: {connection-limit: 1234}" + kServices), 0, 0,
                 events);
  EXPECT_EQ(balancer.dispatcher().connection_limit(), 1234u);  // a reload changes it
  balancer.apply(test::director_config(kServices), 0, 0, events);
  EXPECT_EQ(balancer.dispatcher().connection_limit(), 8388608u);  // and back to the default
}

}  // namespace
}  // namespace lvs
