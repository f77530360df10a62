// twos (ip_vs_twos.c): two weighted random draws, the less loaded of the two wins. Hand-derived
// decisions from a scripted get_random_u32() stream (ties, weight 0, overload, dead hosts, adds
// and deletes, the rejection loop, the kernel's `int` wrap), then a transcription test against the
// kernel's loop written out literally below, on random services and random streams: the same
// server, from the same number of draws. Then the seed's way from `--random-seed` to the
// scheduler.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/model.h"
#include "sched/fenwick_tree.h"
#include "sched/power_of_two_choices.h"
#include "sched/random_source.h"
#include "sched/scheduler.h"
#include "sched/seeded_random.h"
#include "sched/weighted_least_connection.h"
#include "service/service_table.h"
#include "service/virtual_service.h"
#include "sim/event_script.h"
#include "sim/simulator.h"
#include "support/config_yaml.h"
#include "support/random_service_ops.h"

namespace lvs {
namespace {

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};
constexpr std::int32_t kIntMax = std::numeric_limits<std::int32_t>::max();

// get_random_u32() from a script; running past its end fails the test (an exception, so that a
// rejection loop cannot spin on made-up values).
class ScriptedRandom final : public RandomSource {
 public:
  std::uint32_t next_u32() override {
    if (values_.empty()) {
      throw std::runtime_error("the scheduler drew more random numbers than the script holds");
    }
    const std::uint32_t v = values_.front();
    values_.pop_front();
    return v;
  }
  void push(std::initializer_list<std::uint32_t> values) {
    values_.insert(values_.end(), values.begin(), values.end());
  }
  std::size_t left() const { return values_.size(); }

 private:
  std::deque<std::uint32_t> values_;
};

// A get_random_u32() value for which get_random_u32_below(ceil) is `r` at the first draw: ceil
// times it lands in the middle of r's 2^32-wide bucket, so its low half (about 2^31) is never
// below the rejection bound 2^32 % ceil (< ceil <= 2^30). r < ceil.
std::uint32_t draw_for(std::uint32_t r, std::uint32_t ceil) {
  return static_cast<std::uint32_t>(((std::uint64_t{r} << 32) + (1ull << 31)) / ceil);
}

TEST(RandomU32Below, HighHalfOfTheProduct) {
  ScriptedRandom random;
  // 7 * 0x80000000 = 3.5 * 2^32: 3. 7 * 0xffffffff = 7 * 2^32 - 7: 6.
  random.push({0x80000000u, 0xffffffffu});
  EXPECT_EQ(random_u32_below(random, 7), 3u);
  EXPECT_EQ(random_u32_below(random, 7), 6u);
  EXPECT_EQ(random.left(), 0u);
  // draw_for() (used by the decisions below) gives the r it is asked for.
  for (std::uint32_t ceil : {2u, 3u, 7u, 65537u, 1u << 30}) {
    for (std::uint32_t r : {0u, 1u, ceil / 2, ceil - 1}) {
      random.push({draw_for(r, ceil)});
      EXPECT_EQ(random_u32_below(random, ceil), r) << r << " of " << ceil;
    }
  }
}

TEST(RandomU32Below, RejectionLoopDrawsAgain) {
  ScriptedRandom random;
  // ceil 7: 2^32 = 7 * 613566756 + 4, so a draw is thrown away when the low half of 7 * draw is
  // below 4. 0 (7 * 0 = 0, low 0) and 0x24924925 (7 * it = 2^32 + 3, low 3) are; 0x80000000
  // (low 2^31) is kept: 3. Three draws for one number.
  random.push({0u, 0x24924925u, 0x80000000u});
  EXPECT_EQ(random_u32_below(random, 7), 3u);
  EXPECT_EQ(random.left(), 0u);
  // Low half exactly 4 is kept: 7 * 0xdb6db6dc = 6 * 2^32 + 4: 6.
  random.push({0xdb6db6dcu});
  EXPECT_EQ(random_u32_below(random, 7), 6u);
  // A power of two never rejects (2^32 % 8 = 0): 0 gives 0 at once.
  random.push({0u});
  EXPECT_EQ(random_u32_below(random, 8), 0u);
  EXPECT_EQ(random.left(), 0u);
  // ceil 2^31 + 1: the bound is 2^32 - (2^31 + 1) = 2^31 - 1, so half the draws are rejected:
  // 2 (2 * ceil = 2^32 + 2, low 2) and 4 (low 4) are; 1 (low 2^31 + 1) is kept: 0.
  random.push({2u, 4u, 1u});
  EXPECT_EQ(random_u32_below(random, 0x80000001u), 0u);
  EXPECT_EQ(random.left(), 0u);
}

TEST(RandomU32Below, CeilZeroIsTheDrawItselfAndCeilOneIsZero) {
  ScriptedRandom random;
  random.push({0xdeadbeefu, 0u, 0xffffffffu});
  EXPECT_EQ(random_u32_below(random, 0), 0xdeadbeefu);
  EXPECT_EQ(random_u32_below(random, 1), 0u);  // 2^32 % 1 = 0: even 0 is kept
  EXPECT_EQ(random_u32_below(random, 1), 0u);
  EXPECT_EQ(random.left(), 0u);
}

// The kernel's __get_random_u32_below() against its definition: the accepted draw is the first
// whose low half is >= 2^32 mod ceil (computed here in 64 bits), the answer its high half.
TEST(RandomU32Below, MatchesTheDefinitionOnRandomInputs) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200000; ++i) {
    // Ceils of every size, with many just above powers of two (the most rejections).
    std::uint32_t ceil = static_cast<std::uint32_t>(rng() >> (rng() % 64));
    if (i % 3 == 0) ceil = (1u << (rng() % 32)) + static_cast<std::uint32_t>(rng() % 3);
    if (ceil == 0) continue;
    std::vector<std::uint32_t> draws;
    for (int k = 0; k < 4; ++k) {
      draws.push_back(rng() % 4 == 0 ? static_cast<std::uint32_t>(rng() % 8)
                                     : static_cast<std::uint32_t>(rng()));
    }
    const std::uint64_t threshold = (std::uint64_t{1} << 32) % ceil;
    std::size_t accepted = 0;
    while (accepted < draws.size() &&
           ((std::uint64_t{ceil} * draws[accepted]) & 0xffffffffu) < threshold) {
      ++accepted;
    }
    if (accepted == draws.size()) continue;  // all four rejected: the script is too short
    ScriptedRandom random;
    for (std::uint32_t d : draws) random.push({d});
    ASSERT_EQ(random_u32_below(random, ceil), (std::uint64_t{ceil} * draws[accepted]) >> 32)
        << "ceil " << ceil;
    ASSERT_EQ(draws.size() - random.left(), accepted + 1) << "ceil " << ceil;
  }
}

// The index under twos against a plain array: prefix sums and "first position reaching v" after
// random appends and changes (weights 0 included, so the answer must skip them).
TEST(FenwickTree, MatchesAPlainArray) {
  std::mt19937 rng(3);
  for (int round = 0; round < 20; ++round) {
    FenwickTree tree;
    tree.clear();
    std::vector<std::int64_t> w;
    for (int op = 0; op < 600; ++op) {
      if (w.empty() || rng() % 3 == 0) {
        w.push_back(rng() % 4 == 0 ? 0 : rng() % 1000);
        tree.push_back(w.back());
      } else {
        const std::size_t pos = rng() % w.size();
        const std::int64_t next = rng() % 4 == 0 ? 0 : rng() % 1000;
        tree.add(pos, next - w[pos]);
        w[pos] = next;
      }
      ASSERT_EQ(tree.size(), w.size());
      std::int64_t sum = 0;
      for (std::size_t i = 0; i < w.size(); ++i) {
        sum += w[i];
        ASSERT_EQ(tree.prefix(i), sum) << i;
      }
      ASSERT_EQ(tree.total(), sum);
      for (std::int64_t v = 1; v <= sum; v += 1 + static_cast<std::int64_t>(rng() % 97)) {
        std::size_t expected = 0;
        for (std::int64_t run = w[0]; run < v;) run += w[++expected];
        ASSERT_EQ(tree.lower_bound(v), expected) << "v " << v;
      }
      if (sum > 0) {  // both ends
        std::size_t first = 0;
        while (w[first] == 0) ++first;
        std::size_t last = w.size() - 1;
        while (w[last] == 0) --last;
        ASSERT_EQ(tree.lower_bound(1), first);
        ASSERT_EQ(tree.lower_bound(sum), last);
      }
    }
  }
}

// One service with twos on a scripted stream; servers added as -a adds them (A, B, C added in
// that order sit in list order C, B, A).
class TwosTest : public ::testing::Test {
 protected:
  TwosTest() {
    auto random = std::make_unique<ScriptedRandom>();
    random_ = random.get();
    auto sched = std::make_unique<PowerOfTwoChoices>(std::move(random));
    sched_ = sched.get();
    svc_ =
        std::make_unique<VirtualService>(config::ServiceKey{}, std::move(sched), SchedulerFlags{});
  }

  Destination* add(const Endpoint& ep, std::int32_t weight, std::uint32_t u = 0) {
    return svc_->add_destination(ep, DestinationParams{weight, u, 0});
  }
  // One decision with exactly these draws queued; all of them must be used.
  Destination* pick(std::initializer_list<std::uint32_t> draws) {
    random_->push(draws);
    Destination* d = svc_->schedule(PacketInfo{}, 0);
    EXPECT_EQ(random_->left(), 0u) << "the decision left draws unused";
    EXPECT_TRUE(sched_->index_matches(svc_->destinations()));
    return d;
  }
  static void bind_n(Destination& d, ConnCount c, int n) {
    for (int i = 0; i < n; ++i) VirtualService::bind(d, c);
  }

  ScriptedRandom* random_ = nullptr;
  PowerOfTwoChoices* sched_ = nullptr;
  std::unique_ptr<VirtualService> svc_;
};

TEST_F(TwosTest, NameIsTwos) { EXPECT_EQ(sched_->name(), "twos"); }

TEST_F(TwosTest, NoServerDrawsNothing) {
  EXPECT_EQ(pick({}), nullptr);
  add(kA, 0);
  EXPECT_EQ(pick({}), nullptr);  // the kernel returns before drawing when nothing has weight
  EXPECT_EQ(svc_->no_dest_total(), 2u);
}

TEST_F(TwosTest, DrawsWalkTheListByWeight) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 2);
  Destination* c = add(kC, 3);  // list C(3) B(2) A(1): total 6, ceil 7
  // Running sums from the head: C 3, B 5, A 6. r is taken where r - running sum <= 0 first:
  // r 0..3 -> C, 4..5 -> B, 6 -> A. All idle: the first draw wins every tie.
  EXPECT_EQ(pick({draw_for(0, 7), draw_for(6, 7)}), c);
  EXPECT_EQ(pick({draw_for(3, 7), draw_for(4, 7)}), c);
  EXPECT_EQ(pick({draw_for(4, 7), draw_for(0, 7)}), b);
  EXPECT_EQ(pick({draw_for(5, 7), draw_for(5, 7)}), b);
  EXPECT_EQ(pick({draw_for(6, 7), draw_for(3, 7)}), a);
  // C gets an active connection (overhead 256): B (4) vs C (3) is 3 * 0 > 2 * 256? No: B.
  // A (6) vs C (0): 3 * 0 > 1 * 256? No: A. C (0) vs A (6): 1 * 256 > 3 * 0: A.
  VirtualService::bind(*c, ConnCount::Active);
  EXPECT_EQ(pick({draw_for(4, 7), draw_for(0, 7)}), b);
  EXPECT_EQ(pick({draw_for(6, 7), draw_for(0, 7)}), a);
  EXPECT_EQ(pick({draw_for(0, 7), draw_for(6, 7)}), a);
}

TEST_F(TwosTest, TheSecondDrawWinsOnlyWhenStrictlyLessLoadedPerWeight) {
  add(kA, 1);
  Destination* b = add(kB, 2);
  Destination* c = add(kC, 3);  // list C(3) B(2) A(1): r 0..3 -> C, 4..5 -> B, 6 -> A
  VirtualService::bind(*b, ConnCount::Active);  // B 256 / 2 = 128
  bind_n(*c, ConnCount::Inactive, 384);         // C 384 / 3 = 128
  // B first, C second: 3 * 256 = 768 > 2 * 384 = 768? No, a tie: B. And the other way: C.
  EXPECT_EQ(pick({draw_for(4, 7), draw_for(1, 7)}), b);
  EXPECT_EQ(pick({draw_for(1, 7), draw_for(4, 7)}), c);
  // One more inactive on C: 2 * 385 = 770 > 3 * 256 = 768: C first, B second gives B.
  VirtualService::bind(*c, ConnCount::Inactive);
  EXPECT_EQ(pick({draw_for(1, 7), draw_for(4, 7)}), b);
  EXPECT_EQ(pick({draw_for(4, 7), draw_for(1, 7)}), b);
  // The same server twice compares equal: it stays.
  EXPECT_EQ(pick({draw_for(2, 7), draw_for(0, 7)}), c);
}

TEST_F(TwosTest, WeightZeroOverloadedAndDeadServersAreNotCounted) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 0);
  Destination* c = add(kC, 2, /*u=*/1);  // list C(2) B(0) A(1): total 3, ceil 4
  // B is skipped in both walks: r 0..2 -> C, 3 -> A.
  EXPECT_EQ(pick({draw_for(2, 4), draw_for(2, 4)}), c);
  EXPECT_EQ(pick({draw_for(3, 4), draw_for(3, 4)}), a);
  // One connection makes C overloaded (u-threshold 1): total 1, ceil 2, everything is A, and
  // both draws are still taken.
  VirtualService::bind(*c, ConnCount::Inactive);
  EXPECT_EQ(pick({draw_for(0, 2), draw_for(1, 2)}), a);
  // B gets weight 1: list C(2, overloaded) B(1) A(1), total 2, ceil 3: r 0..1 -> B, 2 -> A.
  ASSERT_TRUE(svc_->edit_destination(kB, {1, 0, 0}));
  EXPECT_EQ(pick({draw_for(1, 3), draw_for(1, 3)}), b);
  EXPECT_EQ(pick({draw_for(2, 3), draw_for(2, 3)}), a);
  // A dead host counts as overloaded: B alone, total 1, ceil 2.
  VirtualService::set_dead(*a, true);
  EXPECT_EQ(pick({draw_for(1, 2), draw_for(1, 2)}), b);
  VirtualService::set_dead(*b, true);
  EXPECT_EQ(pick({}), nullptr);
  // C's connection closes: 0 * 4 < 1 * 3 clears the overload. C alone, total 2, ceil 3.
  VirtualService::unbind(*c, ConnCount::Inactive);
  EXPECT_EQ(pick({draw_for(2, 3), draw_for(0, 3)}), c);
  VirtualService::set_dead(*a, false);  // C(2) A(1): r 0..2 -> C, 3 -> A
  EXPECT_EQ(pick({draw_for(3, 4), draw_for(3, 4)}), a);
}

TEST_F(TwosTest, RejectedDrawsAreConsumedAsTheKernelConsumesThem) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 1);  // list B A: total 2, ceil 3; r 0..1 -> B, 2 -> A
  // 2^32 % 3 = 1: a draw of 0 (product 0, low half 0 < 1) is rejected and r1 comes from the
  // next draw. Read without the rejection, the 0 would have been r1 = 0 (B) and the script
  // would have run one draw short.
  EXPECT_EQ(pick({0u, draw_for(2, 3), draw_for(0, 3)}), a);
  // Both draws rejected once: four values for one decision. r1 = 1 (B), r2 = 2 (A); idle: B.
  EXPECT_EQ(pick({0u, draw_for(1, 3), 0u, draw_for(2, 3)}), b);
  // With B loaded the second draw (A) wins.
  VirtualService::bind(*b, ConnCount::Inactive);
  EXPECT_EQ(pick({0u, draw_for(1, 3), 0u, draw_for(2, 3)}), a);
}

TEST_F(TwosTest, AddsAndDeletesMoveTheWalk) {
  Destination* a = add(kA, 1);
  Destination* b = add(kB, 1);
  Destination* c = add(kC, 1);  // list C B A: total 3, ceil 4: r 0..1 -> C, 2 -> B, 3 -> A
  EXPECT_EQ(pick({draw_for(2, 4), draw_for(2, 4)}), b);
  EXPECT_EQ(pick({draw_for(3, 4), draw_for(1, 4)}), a);
  ASSERT_TRUE(svc_->delete_destination(kB));  // list C A: total 2, ceil 3: 0..1 -> C, 2 -> A
  EXPECT_EQ(pick({draw_for(2, 3), draw_for(2, 3)}), a);
  EXPECT_EQ(pick({draw_for(1, 3), draw_for(1, 3)}), c);
  // -a B back, weight 2, at the head: list B(2) C(1) A(1), total 4, ceil 5:
  // r 0..2 -> B, 3 -> C, 4 -> A.
  b = add(kB, 2);
  EXPECT_EQ(pick({draw_for(2, 5), draw_for(2, 5)}), b);
  EXPECT_EQ(pick({draw_for(3, 5), draw_for(3, 5)}), c);
  EXPECT_EQ(pick({draw_for(4, 5), draw_for(4, 5)}), a);
  // -e C weight 0: list B(2) C(0) A(1), total 3, ceil 4: r 0..2 -> B, 3 -> A.
  ASSERT_TRUE(svc_->edit_destination(kC, {0, 0, 0}));
  EXPECT_EQ(pick({draw_for(3, 4), draw_for(3, 4)}), a);
  EXPECT_EQ(pick({draw_for(2, 4), draw_for(2, 4)}), b);
  // Delete and re-add many times: holes are collected, the walk stays the list's.
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(svc_->delete_destination(kA));
    a = add(kA, 1);  // now the head: list A(1) B(2) C(0), total 3: 0..1 -> A, 2..3 -> B
  }
  EXPECT_EQ(pick({draw_for(1, 4), draw_for(1, 4)}), a);
  EXPECT_EQ(pick({draw_for(2, 4), draw_for(2, 4)}), b);
}

TEST_F(TwosTest, ProductsWrapAsTheKernelsIntDoes) {
  Destination* a = add(kA, 65535);
  Destination* b = add(kB, 1);         // list B(1) A(65535): total 65536, ceil 65537; 0..1 -> B
  bind_n(*a, ConnCount::Active, 128);  // A: 32768 / 65535, about 0.5 per weight
  bind_n(*b, ConnCount::Active, 128);
  VirtualService::bind(*b, ConnCount::Inactive);  // B: 32769 / 1
  // A first, B second: weight2 * overhead1 = 1 * 32768; weight1 * overhead2 = 65535 * 32769 =
  // 2147516415, past INT_MAX: the kernel's `int` holds 2147516415 - 2^32 = -2147450881, and
  // 32768 > -2147450881 sends the connection to B, by far the more loaded. So do we.
  EXPECT_EQ(pick({draw_for(100, 65537), draw_for(0, 65537)}), b);
  // B first, A second: 65535 * 32769 wraps negative, not > 1 * 32768: B stays.
  EXPECT_EQ(pick({draw_for(0, 65537), draw_for(100, 65537)}), b);
  // One active connection less on B (overhead 32513): 65535 * 32513 = 2130739455 fits, and
  // A first gives 32768 > 2130739455? No: A.
  VirtualService::unbind(*b, ConnCount::Active);
  EXPECT_EQ(pick({draw_for(100, 65537), draw_for(0, 65537)}), a);
}

TEST_F(TwosTest, WeightsPastIntMaxTakeTheKernelsWrappedWalk) {
  Destination* a = add(kA, 1 << 30);
  Destination* b = add(kB, 1 << 30);
  Destination* c = add(kC, 1 << 30);  // list C B A, each 2^30
  // total = 3 * 2^30 wraps to -2^30; + 1 is ceil 3 * 2^30 + 1 as the u32 the kernel passes.
  // 0xffffffff: low half 2^32 - ceil = 2^30 - 1, not below the bound (2^32 - ceil) % ceil
  // = 2^30 - 1, so kept: r = ceil - 1 = 3 * 2^30, which as `int` is -2^30 — already <= 0 at the
  // head, C (a 64-bit walk would have gone to the tail, A). 0x80000000: r = (3 * 2^30 + 1) / 2
  // = 1610612736, positive: minus 2^30 still > 0 at C, <= 0 at B.
  const std::uint32_t ceil = 3u * (1u << 30) + 1u;
  ScriptedRandom check;
  check.push({0xffffffffu, 0x80000000u});
  ASSERT_EQ(random_u32_below(check, ceil), 3u << 30);
  ASSERT_EQ(random_u32_below(check, ceil), 1610612736u);
  EXPECT_EQ(pick({0xffffffffu, 0xffffffffu}), c);
  EXPECT_EQ(pick({0xffffffffu, 0x80000000u}), c);  // C vs B, both idle: the first
  VirtualService::bind(*c, ConnCount::Inactive);   // 2^30 * 1 > 2^30 * 0: B
  EXPECT_EQ(pick({0xffffffffu, 0x80000000u}), b);
  (void)a;
}

TEST_F(TwosTest, TotalWrappingToCeilZeroUsesTheDrawItself) {
  add(kA, 1);
  Destination* b = add(kB, kIntMax);
  Destination* c = add(kC, kIntMax);  // list C B A: 2 * INT_MAX + 1 = 2^32 - 1, + 1 wraps to 0
  // get_random_u32_below(0) is the draw itself. r1 = 5: 5 - INT_MAX <= 0 at C. r2 = 0x80000000
  // is INT_MIN as `int`: INT_MIN - INT_MAX wraps to 1 (> 0) at C, 1 - INT_MAX <= 0 at B.
  EXPECT_EQ(pick({5u, 0x80000000u}), c);  // idle: the first
  VirtualService::bind(*c, ConnCount::Inactive);
  EXPECT_EQ(pick({5u, 0x80000000u}), b);  // INT_MAX * 1 > INT_MAX * 0
}

// ---- The transcription test ----

// ip_vs_twos_schedule() and __get_random_u32_below() as the kernel writes them, with C's `int`
// and `u32`, statement by statement. `int` arithmetic wraps (the kernel builds with
// -fno-strict-overflow), which C++ only defines for unsigned types, hence kint.
namespace kernel {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

// A C `int` under -fwrapv.
struct kint {
  std::int32_t v;
  friend kint operator+(kint a, kint b) { return {static_cast<std::int32_t>(u32(a.v) + u32(b.v))}; }
  friend kint operator-(kint a, kint b) { return {static_cast<std::int32_t>(u32(a.v) - u32(b.v))}; }
  friend kint operator*(kint a, kint b) { return {static_cast<std::int32_t>(u32(a.v) * u32(b.v))}; }
  friend bool operator<=(kint a, kint b) { return a.v <= b.v; }
  friend bool operator>(kint a, kint b) { return a.v > b.v; }
  friend bool operator==(kint a, kint b) { return a.v == b.v; }
};

u32 get_random_u32(RandomSource& random) { return random.next_u32(); }

u32 get_random_u32_below(RandomSource& random, u32 ceil) {
  u32 rand = get_random_u32(random);
  u64 mult;
  if (!ceil) return rand;
  mult = (u64)ceil * rand;
  if ((u32)mult < ceil) {
    u32 bound = -ceil % ceil;
    while ((u32)mult < bound) mult = (u64)ceil * get_random_u32(random);
  }
  return mult >> 32;
}

kint ip_vs_dest_conn_overhead(const Destination* dest) {
  return {static_cast<std::int32_t>((dest->activeconns << 8) + dest->inactconns)};
}

Destination* ip_vs_twos_schedule(DestinationList destinations, RandomSource& random) {
  Destination *choice1 = nullptr, *choice2 = nullptr;
  kint rweight1, rweight2, weight1{-1}, weight2{-1}, overhead1{0};
  kint overhead2{0}, total_weight{0}, weight;

  for (Destination* dest : destinations) {
    if (!dest->blocked()) {  // !(dest->flags & IP_VS_DEST_F_OVERLOAD)
      weight = kint{dest->weight};
      if (weight > kint{0}) {
        total_weight = total_weight + weight;
        choice1 = dest;
      }
    }
  }
  if (!choice1) return nullptr;

  total_weight = total_weight + kint{1};
  rweight1 = kint{static_cast<std::int32_t>(get_random_u32_below(random, u32(total_weight.v)))};
  rweight2 = kint{static_cast<std::int32_t>(get_random_u32_below(random, u32(total_weight.v)))};

  for (Destination* dest : destinations) {
    if (dest->blocked()) continue;
    weight = kint{dest->weight};
    if (weight <= kint{0}) continue;
    rweight1 = rweight1 - weight;
    rweight2 = rweight2 - weight;
    if (rweight1 <= kint{0} && weight1 == kint{-1}) {
      choice1 = dest;
      weight1 = weight;
      overhead1 = ip_vs_dest_conn_overhead(dest);
    }
    if (rweight2 <= kint{0} && weight2 == kint{-1}) {
      choice2 = dest;
      weight2 = weight;
      overhead2 = ip_vs_dest_conn_overhead(dest);
    }
    if (!(weight1 == kint{-1}) && !(weight2 == kint{-1})) goto nextstage;
  }
nextstage:
  if (choice2 && (weight2 * overhead1) > (weight1 * overhead2)) choice1 = choice2;
  return choice1;
}

}  // namespace kernel

// A get_random_u32() stream from a seed, with many small values (0 and below 16) so that the
// rejection loop runs often; two copies with one seed give the same stream.
class TestStream final : public RandomSource {
 public:
  explicit TestStream(std::uint64_t seed) : rng_(seed) {}
  std::uint32_t next_u32() override {
    ++drawn;
    const std::uint64_t x = rng_();
    switch (x & 7) {
      case 0:
        return 0;
      case 1:
        return static_cast<std::uint32_t>((x >> 3) & 15);
      default:
        return static_cast<std::uint32_t>(x >> 32);
    }
  }
  std::uint64_t drawn = 0;

 private:
  std::mt19937_64 rng_;
};

// Random -a/-e/-d, connections, thresholds and dead hosts; after each operation one decision by
// our scheduler and one by the kernel's loop, each from its own copy of the same stream: the
// same server, and the same number of values drawn. Weights: small (ties, weight 0), or large
// enough that the sum passes INT_MAX and the kernel's wrapped walk decides.
void run_transcription(std::uint32_t seed, bool huge_weights) {
  const std::uint64_t stream_seed_value = 1000 + seed;
  auto ours = std::make_unique<TestStream>(stream_seed_value);
  TestStream* ours_stream = ours.get();
  TestStream kernel_stream(stream_seed_value);
  auto sched = std::make_unique<PowerOfTwoChoices>(std::move(ours));
  PowerOfTwoChoices* twos = sched.get();
  VirtualService svc(config::ServiceKey{}, std::move(sched), {});
  testing::RandomServiceOps ops(
      svc, seed,
      [huge_weights](testing::RandomServiceOps& r) -> std::int32_t {
        if (r.rnd(6) == 0) return 0;
        if (huge_weights && r.rnd(2) == 0) return kIntMax - r.rnd(1 << 20) * 512;
        return 1 + r.rnd(4) * (1 + r.rnd(3));
      },
      3);
  std::mt19937 dead_rng(seed);
  int chosen = 0;
  for (int step = 0; step < 20000; ++step) {
    ops.step();
    if (dead_rng() % 8 == 0 && !svc.destinations().empty()) {
      Destination* d = svc.destinations()[dead_rng() % svc.destinations().size()];
      VirtualService::set_dead(*d, !d->dead);
    }
    ASSERT_TRUE(twos->index_matches(svc.destinations())) << "seed " << seed << " step " << step;
    Destination* expected = kernel::ip_vs_twos_schedule(svc.destinations(), kernel_stream);
    ASSERT_EQ(svc.schedule(PacketInfo{}, 0), expected) << "seed " << seed << " step " << step;
    ASSERT_EQ(ours_stream->drawn, kernel_stream.drawn) << "seed " << seed << " step " << step;
    if (expected != nullptr) ++chosen;
  }
  EXPECT_GT(chosen, 10000);
}

TEST(TwosTranscription, SameServerFromTheSameDrawsAsTheKernelLoop) {
  for (std::uint32_t seed : {1u, 2u, 3u, 4u}) run_transcription(seed, false);
}

TEST(TwosTranscription, SameServerWhenTheKernelsIntSumsWrap) {
  for (std::uint32_t seed : {5u, 6u, 7u}) run_transcription(seed, true);
}

TEST(TwosTranscription, InitServiceOnAListInUse) {
  // ipvsadm -E -s twos on a wlc service with blocked, quiesced and loaded servers.
  VirtualService svc(config::ServiceKey{}, std::make_unique<WeightedLeastConnection>(), {});
  for (std::uint32_t i = 0; i < 40; ++i) {
    Destination* d = svc.add_destination(
        Endpoint{0x0a000000u + i, 80}, {static_cast<std::int32_t>(i % 5), i % 7 == 0 ? 1u : 0u, 0});
    for (std::uint32_t k = 0; k < i % 4; ++k) VirtualService::bind(*d, ConnCount::Active);
    if (i % 9 == 0) VirtualService::set_dead(*d, true);
  }
  auto ours = std::make_unique<TestStream>(77);
  TestStream* ours_stream = ours.get();
  auto sched = std::make_unique<PowerOfTwoChoices>(std::move(ours));
  PowerOfTwoChoices* twos = sched.get();
  svc.set_scheduler(std::move(sched), {});
  ASSERT_TRUE(twos->index_matches(svc.destinations()));
  TestStream kernel_stream(77);
  for (int i = 0; i < 2000; ++i) {
    Destination* expected = kernel::ip_vs_twos_schedule(svc.destinations(), kernel_stream);
    Destination* got = svc.schedule(PacketInfo{}, 0);
    ASSERT_EQ(got, expected) << i;
    ASSERT_EQ(ours_stream->drawn, kernel_stream.drawn) << i;
    ASSERT_NE(got, nullptr);
    VirtualService::bind(*got, ConnCount::Inactive);
  }
}

// ---- The seed: the stream, the table, the simulator ----

TEST(SeededRandom, IsTheStandardsMt19937_64) {
  // [rand.predef]: the 10000th output of a default-constructed mt19937_64 (seed 5489) is
  // 9981545732273789042; next_u32() is its high half, 9981545732273789042 >> 32 = 2324009717.
  SeededRandom random(5489);
  for (int i = 0; i < 9999; ++i) random.next_u32();
  EXPECT_EQ(random.next_u32(), 2324009717u);
}

TEST(SeededRandom, StreamSeedsDependOnSeedAndStream) {
  const std::uint32_t a[] = {6, 0x0ac80064, 80, 0};
  const std::uint32_t b[] = {6, 0x0ac80064, 81, 0};
  EXPECT_EQ(stream_seed(1, a), stream_seed(1, a));
  EXPECT_NE(stream_seed(1, a), stream_seed(1, b));
  EXPECT_NE(stream_seed(1, a), stream_seed(2, a));
  EXPECT_NE(stream_seed(1, a), stream_seed(std::uint64_t{1} << 32 | 1, a));  // all 64 bits count
}

TEST(ParseRandomSeed, DecimalUpTo2To64Minus1) {
  EXPECT_EQ(parse_random_seed("0"), 0u);
  EXPECT_EQ(parse_random_seed("42"), 42u);
  EXPECT_EQ(parse_random_seed("18446744073709551615"), 18446744073709551615u);
  for (const char* bad :
       {"", "18446744073709551616", "-1", "+1", " 1", "1 ", "1x", "0x10", "1e3"}) {
    EXPECT_EQ(parse_random_seed(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(TwosFactory, NamedTwosLastInIpvsadmsOrder) {
  auto sched = make_scheduler("twos", {});
  ASSERT_NE(sched, nullptr);
  EXPECT_EQ(sched->name(), "twos");
  ASSERT_FALSE(scheduler_names().empty());
  EXPECT_EQ(scheduler_names().back(), "twos");
}

// The simulator's configuration: one twos service, servers .11 (weight 1), .12 (2), .13 (3) —
// list order .13 .12 .11 — and with `services` 2 a second twos service on :443.
config::DirectorConfig twos_config(int services = 1) {
  std::string yaml = R"(
services:
  - tcp-service: 10.200.0.100:80
    scheduler: twos
    real-servers:
      - {real-server: 10.200.0.11:80, weight: 1}
      - {real-server: 10.200.0.12:80, weight: 2}
      - {real-server: 10.200.0.13:80, weight: 3}
)";
  if (services == 2) {
    yaml += R"(  - tcp-service: 10.200.0.100:443
    scheduler: twos
    real-servers:
      - {real-server: 10.200.0.11:443, weight: 1}
      - {real-server: 10.200.0.12:443, weight: 1}
)";
  }
  return test::director_config(yaml);
}

std::string simulate(const config::DirectorConfig& config, std::uint64_t seed,
                     const std::string& events) {
  std::istringstream in(events);
  auto parsed = sim::parse_event_script(in);
  auto* script = std::get_if<std::vector<sim::ScriptEvent>>(&parsed);
  EXPECT_NE(script, nullptr);
  if (script == nullptr) return {};
  sim::Simulator simulator(config, seed);
  std::ostringstream out, err;
  EXPECT_EQ(simulator.run(*script, out, err), 0) << err.str();
  return out.str();
}

std::string news(int n, const char* service = "") {
  std::string events;
  for (int i = 1; i <= n; ++i) {
    events += "new 10.0.0." + std::to_string(i) + ":1000 " + service + "\n";
  }
  return events;
}

TEST(TwosSeed, SimulateWithASeedGivesAFixedSequence) {
  // Seed 7, service tcp/10.200.0.100:80: its stream is SeededRandom(stream_seed(7, {6,
  // 0x0ac80064, 80, 0})), whose first draws are fixed by the standard's mt19937_64 and seed_seq.
  // Pinned: a change here means a logged seed no longer replays an older director's decisions.
  const std::uint32_t key[] = {6, 0x0ac80064, 80, 0};
  SeededRandom stream(stream_seed(7, key));
  const std::uint32_t draws[] = {0x9bdc1967, 0x79069aed, 0x98c43e57, 0x409a0b31,
                                 0xad14bea6, 0x42c7d22c, 0x303b9756, 0x58f977c8,
                                 0x66e85168, 0x89b596b5, 0x840b3f0a, 0xa80cefe3};
  for (std::uint32_t d : draws) ASSERT_EQ(stream.next_u32(), d);
  // List .13(3) .12(2) .11(1): total 6, ceil 7; r = 7 * draw >> 32 (no low half is below
  // 2^32 % 7 = 4, so nothing is rejected): 4 3 | 4 1 | 4 1 | 1 2 | 2 3 | 3 4.
  // r 0..3 -> .13, 4..5 -> .12, 6 -> .11. Each connection completes: +256 on its server.
  //   1: .12 vs .13, all idle: 3 * 0 > 2 * 0? no                      -> .12 (.12 256)
  //   2: .12 (256) vs .13 (0): 3 * 256 > 2 * 0                         -> .13 (.13 256)
  //   3: .12 (256) vs .13 (256): 3 * 256 > 2 * 256                     -> .13 (.13 512)
  //   4: .13 vs .13                                                    -> .13 (.13 768)
  //   5: .13 vs .13                                                    -> .13 (.13 1024)
  //   6: .13 (1024, w 3) vs .12 (256, w 2): 2 * 1024 > 3 * 256         -> .12
  EXPECT_EQ(simulate(twos_config(), 7, news(6)),
            "10.200.0.12:80\n10.200.0.13:80\n10.200.0.13:80\n10.200.0.13:80\n10.200.0.13:80\n"
            "10.200.0.12:80\n");
}

TEST(TwosSeed, SameSeedSameDecisionsOtherSeedOthers) {
  const auto config = twos_config();
  const std::string events = news(40);
  EXPECT_EQ(simulate(config, 7, events), simulate(config, 7, events));
  EXPECT_NE(simulate(config, 7, events), simulate(config, 8, events));
  // Without a seed the simulator uses kDefaultRandomSeed.
  std::istringstream in(events);
  auto script = std::get<std::vector<sim::ScriptEvent>>(sim::parse_event_script(in));
  sim::Simulator simulator(config);
  std::ostringstream out, err;
  simulator.run(script, out, err);
  EXPECT_EQ(out.str(), simulate(config, kDefaultRandomSeed, events));
}

TEST(TwosSeed, EachServiceHasItsOwnStream) {
  // Decisions on :80 do not depend on decisions taken on :443 in between: one stream per
  // service, from the seed and the service's key.
  const auto one = twos_config(1);
  const auto two = twos_config(2);
  std::string interleaved;
  for (int i = 1; i <= 20; ++i) {
    interleaved += "new 10.0.0." + std::to_string(i) + ":1000 tcp/10.200.0.100:80\n";
    interleaved += "new 10.0.1." + std::to_string(i) + ":1000 tcp/10.200.0.100:443\n";
  }
  std::string only80;
  std::istringstream lines(simulate(two, 7, interleaved));
  std::string line;
  for (int i = 0; std::getline(lines, line); ++i) {
    if (i % 2 == 0) only80 += line + "\n";
  }
  EXPECT_EQ(only80, simulate(one, 7, news(20)));
}

TEST(TwosSeed, TheTablesSeedReachesTheScheduler) {
  // ServiceTable::set_random_seed() -> stream_seed(seed, key) -> SeededRandom: a table seeded 7
  // decides as a lone scheduler on that stream.
  const auto config = twos_config();
  ServiceTable table;
  table.set_random_seed(7);
  table.apply(config);
  VirtualService* svc = table.services().front().get();
  const std::uint32_t key[] = {6, 0x0ac80064, 80, 0};
  SeededRandom lone(stream_seed(7, key));
  for (int i = 0; i < 50; ++i) {
    Destination* expected = kernel::ip_vs_twos_schedule(svc->destinations(), lone);
    Destination* got = svc->schedule(PacketInfo{}, 0);
    ASSERT_EQ(got, expected) << i;
    VirtualService::bind(*got, ConnCount::Active);
  }
  // A reload that changes nothing keeps the scheduler and its place in the stream.
  table.apply(config);
  EXPECT_EQ(svc->schedule(PacketInfo{}, 0), kernel::ip_vs_twos_schedule(svc->destinations(), lone));
  // -E to wlc and back to twos binds a new scheduler: the service's stream starts again.
  auto wlc = config;
  wlc.services.front().scheduler = "wlc";
  table.apply(wlc);
  table.apply(config);
  SeededRandom again(stream_seed(7, key));
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(svc->schedule(PacketInfo{}, 0),
              kernel::ip_vs_twos_schedule(svc->destinations(), again))
        << i;
  }
}

}  // namespace
}  // namespace lvs
