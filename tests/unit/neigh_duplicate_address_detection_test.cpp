#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "neigh/duplicate_address_detection.h"

namespace lvs {
namespace {

constexpr Ipv4 kVip = 0x0AC80064;  // 10.200.0.100
constexpr MacAddress kOurs{0x02, 0, 0, 0, 0, 0x02};
constexpr MacAddress kOther{0x02, 0, 0, 0, 0, 0x0a};

// Returns scripted values and records the ranges asked for.
struct ScriptedRandom {
  std::deque<std::uint32_t> values;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> asked;
  UniformRandom fn() {
    return [this](std::uint32_t lo, std::uint32_t hi) {
      asked.emplace_back(lo, hi);
      std::uint32_t v = values.empty() ? lo : values.front();
      if (!values.empty()) values.pop_front();
      return v;
    };
  }
};

// Drives detection from `start` in 1 ms steps until it ends; returns the times probes were sent.
std::vector<TimeMs> run(DuplicateAddressDetection& dad, TimeMs start, TimeMs limit) {
  std::vector<TimeMs> sent;
  for (TimeMs t = start; t <= limit && dad.outcome() == DadOutcome::InProgress; ++t) {
    if (dad.poll(t)) sent.push_back(t);
  }
  return sent;
}

TEST(DuplicateAddressDetection, ProbesWithRfc5227TimingThenAvailable) {
  ScriptedRandom r{{300, 1500, 1000}, {}};
  DuplicateAddressDetection dad(kVip, kOurs, 10'000, r.fn());
  // PROBE_WAIT drawn from 0..1000, the gaps from 1000..2000.
  ASSERT_EQ(r.asked.size(), 1u);
  EXPECT_EQ(r.asked[0], std::make_pair(0u, 1000u));
  EXPECT_EQ(dad.next_deadline(), std::optional<TimeMs>(10'300));

  const auto sent = run(dad, 10'000, 20'000);
  EXPECT_EQ(sent, (std::vector<TimeMs>{10'300, 11'800, 12'800}));
  EXPECT_EQ(r.asked.size(), 3u);
  EXPECT_EQ(r.asked[1], std::make_pair(1000u, 2000u));
  EXPECT_EQ(r.asked[2], std::make_pair(1000u, 2000u));
  EXPECT_EQ(dad.probes_sent(), 3u);
  EXPECT_EQ(dad.outcome(), DadOutcome::Available);
  EXPECT_FALSE(dad.next_deadline().has_value());
}

TEST(DuplicateAddressDetection, AvailableOnlyAfterAnnounceWait) {
  ScriptedRandom r{{0, 1000, 1000}, {}};
  DuplicateAddressDetection dad(kVip, kOurs, 0, r.fn());
  EXPECT_TRUE(dad.poll(0));
  EXPECT_TRUE(dad.poll(1000));
  EXPECT_TRUE(dad.poll(2000));
  EXPECT_FALSE(dad.poll(3999));
  EXPECT_EQ(dad.outcome(), DadOutcome::InProgress);
  EXPECT_FALSE(dad.poll(4000));
  EXPECT_EQ(dad.outcome(), DadOutcome::Available);
}

TEST(DuplicateAddressDetection, LatePollDoesNotStretchTheSchedule) {
  ScriptedRandom r{{500, 1000, 1000}, {}};
  DuplicateAddressDetection dad(kVip, kOurs, 0, r.fn());
  EXPECT_TRUE(dad.poll(900));  // due at 500
  EXPECT_EQ(dad.next_deadline(), std::optional<TimeMs>(1500));
}

TEST(DuplicateAddressDetection, ReplyFromAnotherHostIsAConflictNamingItsMac) {
  ScriptedRandom r;
  DuplicateAddressDetection dad(kVip, kOurs, 0, r.fn());
  EXPECT_TRUE(dad.poll(0));
  ArpPacket reply = arp_reply(kOther, kVip, kOurs, 0);
  dad.observe(reply);
  EXPECT_EQ(dad.outcome(), DadOutcome::Conflict);
  EXPECT_EQ(dad.conflicting_mac(), kOther);
  EXPECT_FALSE(dad.poll(10'000));
  EXPECT_FALSE(dad.next_deadline().has_value());
}

TEST(DuplicateAddressDetection, AnyArpWithTheAddressAsSenderIsAConflict) {
  ScriptedRandom r;
  DuplicateAddressDetection dad(kVip, kOurs, 0, r.fn());
  dad.observe(arp_gratuitous(kOther, kVip));
  EXPECT_EQ(dad.outcome(), DadOutcome::Conflict);
  EXPECT_EQ(dad.conflicting_mac(), kOther);
}

TEST(DuplicateAddressDetection, SimultaneousProbeFromAnotherHostIsAConflict) {
  ScriptedRandom r;
  DuplicateAddressDetection dad(kVip, kOurs, 0, r.fn());
  dad.observe(arp_probe(kOther, kVip));
  EXPECT_EQ(dad.outcome(), DadOutcome::Conflict);
}

TEST(DuplicateAddressDetection, OurOwnFramesAndUnrelatedTrafficAreIgnored) {
  ScriptedRandom r;
  DuplicateAddressDetection dad(kVip, kOurs, 0, r.fn());
  dad.observe(arp_probe(kOurs, kVip));                       // our probe reflected
  dad.observe(arp_gratuitous(kOurs, kVip));                  // our own announcement
  dad.observe(arp_request(kOther, 0x0AC8000A, 0x0AC8000B));  // someone asks for another IP
  dad.observe(arp_request(kOther, 0x0AC8000A, kVip));  // someone asks for the VIP: not a claim
  dad.observe(arp_probe(kOther, 0x0AC8000B));          // a probe for another address
  EXPECT_EQ(dad.outcome(), DadOutcome::InProgress);
  run(dad, 0, 20'000);
  EXPECT_EQ(dad.outcome(), DadOutcome::Available);
  dad.observe(arp_gratuitous(kOther, kVip));  // too late: detection is over
  EXPECT_EQ(dad.outcome(), DadOutcome::Available);
}

}  // namespace
}  // namespace lvs
