// The IPVS rate estimator against values computed by hand from ip_vs_est.c's arithmetic
// (rate = delta << 9 or << 4, avg += (s64)(rate - avg) >> 2, read (avg + 0x1FF) >> 10 or
// (avg + 0xF) >> 5), and its 2-second clock over a real ServiceTable.
#include "model/rate_estimator.h"

#include <gtest/gtest.h>

#include <string>

#include "model/destination.h"
#include "service/rate_sampler.h"
#include "service/service_table.h"
#include "support/service_fixture.h"

namespace lvs {
namespace {

// 1000 connections per second: 2000 in each 2 s period.
constexpr std::uint64_t kConnsPerPeriod = 2000;

TEST(RateEstimator, FirstStepsOfAConstantRateAreExact) {
  RateEstimator est;
  TrafficStats s;
  // rate = 2000 << 9 = 1024000 (1000/s x 2^10); avg: 0 -> 256000 -> 448000 -> 592000 -> 700000.
  const std::uint64_t scaled[] = {256000, 448000, 592000, 700000, 781000};
  // (avg + 511) >> 10: 256511 -> 250, 448511 -> 437 (438 x 1024 = 448512), 592511 -> 578, ...
  const std::uint64_t cps[] = {250, 437, 578, 684, 763};
  for (int i = 0; i < 5; ++i) {
    s.conns += kConnsPerPeriod;
    est.update(s);
    EXPECT_EQ(est.cps_scaled(), scaled[i]) << "step " << i + 1;
    EXPECT_EQ(est.read().cps, cps[i]) << "step " << i + 1;
  }
}

TEST(RateEstimator, ConstantRateConvergesToItself) {
  RateEstimator est;
  TrafficStats s;
  int steps_to_1000 = 0;
  for (int i = 1; i <= 60; ++i) {
    s.conns += kConnsPerPeriod;
    est.update(s);
    if (steps_to_1000 == 0 && est.read().cps == 1000) steps_to_1000 = i;
  }
  // The first step at which the rounded reading is 1000: avg 1023565, (1023565 + 511) >> 10.
  EXPECT_EQ(steps_to_1000, 27);
  // The average stops 3 short of 1024000: a gap below 4 shifts to 0.
  EXPECT_EQ(est.cps_scaled(), 1023997u);
  EXPECT_EQ(est.read().cps, 1000u);
}

TEST(RateEstimator, ByteRatesUseTheirOwnScale) {
  RateEstimator est;
  TrafficStats s;
  s.inbytes = 3'000'000;  // 1.5 MB/s over 2 s
  s.outbytes = 1;
  est.update(s);
  // rate = 3e6 << 4 = 48e6; avg = 12e6; (12e6 + 15) >> 5 = 375000.
  EXPECT_EQ(est.inbps_scaled(), 12'000'000u);
  EXPECT_EQ(est.read().inbps, 375000u);
  // One byte: rate 16, avg 4, (4 + 15) >> 5 = 0.
  EXPECT_EQ(est.outbps_scaled(), 4u);
  EXPECT_EQ(est.read().outbps, 0u);
}

TEST(RateEstimator, PacketCountersAreIndependent) {
  RateEstimator est;
  TrafficStats s;
  s.inpkts = 10;  // rate 5120, avg 1280, (1280 + 511) >> 10 = 1
  s.outpkts = 2;  // rate 1024, avg 256, (256 + 511) >> 10 = 0
  est.update(s);
  EXPECT_EQ(est.inpps_scaled(), 1280u);
  EXPECT_EQ(est.outpps_scaled(), 256u);
  EXPECT_EQ(est.read(), (EstimatedRates{0, 1, 0, 0, 0}));
}

TEST(RateEstimator, DecaysWithSignedArithmeticShift) {
  RateEstimator est;
  TrafficStats s;
  s.conns = 1;  // rate 512, avg 128
  est.update(s);
  // No more traffic: avg += (0 - avg) >> 2 with an arithmetic shift, i.e. minus ceil(avg / 4):
  // 128 -> 96 -> 72 -> 54 -> 40 (-54 >> 2 = -14) -> 30 -> 22.
  const std::uint64_t expected[] = {96, 72, 54, 40, 30, 22};
  for (std::uint64_t want : expected) {
    est.update(s);
    EXPECT_EQ(est.cps_scaled(), want);
  }
  // From 1000/s, 46 idle periods bring it to exactly zero.
  RateEstimator busy;
  TrafficStats b;
  for (int i = 0; i < 60; ++i) {
    b.conns += kConnsPerPeriod;
    busy.update(b);
  }
  for (int i = 0; i < 45; ++i) busy.update(b);
  EXPECT_GT(busy.cps_scaled(), 0u);
  busy.update(b);
  EXPECT_EQ(busy.cps_scaled(), 0u);
}

TEST(RateEstimator, ResetStartsFromTheCurrentCounters) {
  RateEstimator est;
  TrafficStats s;
  s.conns = 5000;
  est.update(s);
  est.reset(s);
  EXPECT_EQ(est.read(), EstimatedRates{});
  s.conns += 2;  // only the growth since the reset counts: rate 1024, avg 256
  est.update(s);
  EXPECT_EQ(est.cps_scaled(), 256u);
}

class RateSamplerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(HasFailure()) << "the services load"; }

  test::LoadedServices services{R"(
director: {vip-mode: external}
services:
  - tcp-service: 10.200.0.100:80
    scheduler: rr
    real-servers:
      - real-server: 10.200.0.11:80
      - real-server: 10.200.0.12:80
)"};
  ServiceTable& table = services.table;
  VirtualService* svc = services.service("tcp/10.200.0.100:80");
  Destination* rs11 = services.server("tcp/10.200.0.100:80", "10.200.0.11:80");
  Destination* rs12 = services.server("tcp/10.200.0.100:80", "10.200.0.12:80");
};

TEST_F(RateSamplerTest, StepsOncePerElapsedTwoSecondsOnAFixedGrid) {
  RateSampler sampler(10'000);
  EXPECT_EQ(sampler.sample(table, 10'000), 0u);
  EXPECT_EQ(sampler.sample(table, 11'999), 0u);
  EXPECT_EQ(sampler.sample(table, 12'000), 1u);
  EXPECT_EQ(sampler.sample(table, 13'999), 0u);
  EXPECT_EQ(sampler.sample(table, 14'100), 1u);  // late tick: the grid stays at 16'000
  EXPECT_EQ(sampler.sample(table, 16'000), 1u);
  EXPECT_EQ(sampler.sample(table, 22'500), 3u);  // 18'000, 20'000, 22'000
  EXPECT_EQ(sampler.sample(table, 23'999), 0u);
  EXPECT_EQ(sampler.sample(table, 24'000), 1u);
}

TEST_F(RateSamplerTest, StepsServicesAndDestinationsFromTheirOwnCounters) {
  RateSampler sampler(0);
  rs11->stats.conns = 2000;
  rs12->stats.conns = 2;
  svc->stats.conns = 2002;
  svc->stats.inpkts = 20;
  sampler.sample(table, 2000);
  EXPECT_EQ(rs11->estimator.cps_scaled(), 256000u);
  EXPECT_EQ(rs12->estimator.cps_scaled(), 256u);
  EXPECT_EQ(svc->estimator.cps_scaled(), 2002u << 7);
  // 20 packets: rate 10240, avg 2560, (2560 + 511) >> 10 = 2 (the reading is 2.5/s rounded down).
  EXPECT_EQ(svc->estimator.read().inpps, 2u);
}

TEST_F(RateSamplerTest, CatchUpStepsSeeNoGrowth) {
  RateSampler sampler(0);
  rs11->stats.conns = 2000;
  EXPECT_EQ(sampler.sample(table, 4000), 2u);
  // First step: 256000; second (no growth since): 256000 - 64000.
  EXPECT_EQ(rs11->estimator.cps_scaled(), 192000u);
}

TEST_F(RateSamplerTest, LongStallIsCappedAndDecaysToZero) {
  RateSampler sampler(0);
  for (int i = 1; i <= 30; ++i) {
    rs11->stats.conns += kConnsPerPeriod;
    sampler.sample(table, 2000u * i);
  }
  ASSERT_EQ(rs11->estimator.read().cps, 1000u);
  EXPECT_EQ(sampler.sample(table, 2000u * 30 + 3'600'000), RateSampler::kMaxCatchUpSteps);
  EXPECT_EQ(rs11->estimator.read().cps, 0u);
  // The grid kept its phase: the next step is due at the next multiple of 2 s.
  EXPECT_EQ(sampler.sample(table, 2000u * 30 + 3'600'000 + 1999), 0u);
  EXPECT_EQ(sampler.sample(table, 2000u * 30 + 3'600'000 + 2000), 1u);
}

TEST_F(RateSamplerTest, DeletedDestinationIsNotSteppedAndResumesWhenRevived) {
  RateSampler sampler(0);
  rs12->stats.conns = 2000;
  sampler.sample(table, 2000);
  ASSERT_EQ(rs12->estimator.cps_scaled(), 256000u);
  // Something still references rs12 (a connection would), so deleting it puts it in the trash.
  rs12->hold();
  const Endpoint addr = rs12->address;
  ASSERT_EQ(table.delete_real_server(svc->key(), addr), "");
  rs12->stats.conns = 4000;  // a connection of the deleted server is still counted
  sampler.sample(table, 4000);
  sampler.sample(table, 6000);
  EXPECT_EQ(rs12->estimator.cps_scaled(), 256000u) << "stopped while in the trash";

  config::RealServerConfig rs;
  rs.address = addr;
  ASSERT_EQ(table.add_real_server(svc->key(), rs), "");
  ASSERT_EQ(svc->find(addr), rs12) << "revived, not recreated";
  sampler.sample(table, 8000);
  // It resumes from its old counters: delta 2000 since the last step it took.
  EXPECT_EQ(rs12->estimator.cps_scaled(), 256000u + ((1024000u - 256000u) >> 2));
  rs12->release();
}

}  // namespace
}  // namespace lvs
