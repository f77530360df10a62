// lblc (ip_vs_lblc.c) to the bit: sticky servers per destination address, when an entry is
// abandoned, the weighted-least-connection fallback, table expiry (full check and over-size
// collection), references. Expected sequences are derived by hand from the kernel source.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sched/locality_based_least_connection.h"
#include "service/virtual_service.h"
#include "support/kernel_reference.h"
#include "support/locality_scheduler.h"

namespace lvs {
namespace {

using test::kMinute;
using test::kSecond;
using test::rs;
using test::to;

// The kernel's bucket for a destination address: hash_32(addr, 10) (include/linux/hash.h).
std::uint32_t kernel_bucket(Ipv4 addr) { return (addr * 0x61C88647u) >> 22; }

// The first address >= from whose kernel bucket is `bucket`.
Ipv4 address_in_bucket(std::uint32_t bucket, Ipv4 from) {
  for (Ipv4 a = from;; ++a) {
    if (kernel_bucket(a) == bucket) return a;
  }
}

constexpr Ipv4 kD1 = 0x0a640001u;  // 10.100.0.1
constexpr Ipv4 kD2 = 0x0a640002u;
constexpr Ipv4 kD3 = 0x0a640003u;

class LblcTest : public test::LocalitySchedulerTest<LocalityBasedLeastConnection> {
 protected:
  using LocalitySchedulerTest::LocalitySchedulerTest;
  const LocalityBasedLeastConnection& lblc() const { return sched(); }
};

TEST_F(LblcTest, NameAndEmptyService) {
  EXPECT_EQ(lblc().name(), "lblc");
  EXPECT_EQ(pick(kD1), nullptr);
  EXPECT_EQ(lblc().entries(), 0u);
}

// Added A, B, C: the list is C, B, A. With no load the first in the list wins; each chosen
// server then carries one active connection, so new addresses spread and old ones stick.
TEST_F(LblcTest, EachAddressSticksToItsServer) {
  Destination* a = add(1, 1);
  Destination* b = add(2, 1);
  Destination* c = add(3, 1);
  ASSERT_EQ(pick(kD1), c);
  VirtualService::bind(*c, ConnCount::Active);
  ASSERT_EQ(pick(kD2), b);  // C has 256, B and A 0: B is first of the tie
  VirtualService::bind(*b, ConnCount::Active);
  ASSERT_EQ(pick(kD3), a);
  VirtualService::bind(*a, ConnCount::Active);
  // A second active connection on C: active 2 > weight 1, but no server has active*2 < weight,
  // so is_overloaded() is false and D1 stays on C.
  VirtualService::bind(*c, ConnCount::Active);
  EXPECT_EQ(pick(kD1), c);
  EXPECT_EQ(pick(kD2), b);
  EXPECT_EQ(pick(kD3), a);
  EXPECT_EQ(lblc().entries(), 3u);
  EXPECT_EQ(lblc().cached(kD1), c);
  // Each entry holds one reference besides the connections.
  EXPECT_EQ(c->refcnt, 3u);
  EXPECT_EQ(b->refcnt, 2u);
  EXPECT_EQ(a->refcnt, 2u);
}

// __ip_vs_lblc_schedule() with weights 3, 2, 1 (list C w1, B w2, A w3), one active connection
// bound to each choice, every address new: overhead/weight, ties to the list head.
//   C B A A B A C B A A B A   (worked in the comments of the kernel's h1*w2 > h2*w1 rule)
TEST_F(LblcTest, FallbackIsWeightedLeastConnectionWithTiesToTheHead) {
  Destination* a = add(1, 3);
  Destination* b = add(2, 2);
  Destination* c = add(3, 1);
  const std::vector<Destination*> expected = {c, b, a, a, b, a, c, b, a, a, b, a};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    Destination* d = pick(0x0b000000u + static_cast<Ipv4>(i));
    ASSERT_EQ(d, expected[i]) << "step " << i;
    VirtualService::bind(*d, ConnCount::Active);
  }
}

// Mainline overhead is (active << 8) + inactive, not the old active*50 + inactive: one active
// (256) loses to 100 inactive (100); the old formula (50 vs 100) would pick the other.
TEST_F(LblcTest, OverheadWeighsActiveConnectionsAs256) {
  Destination* a = add(1, 1);
  Destination* b = add(2, 1);  // list B, A
  VirtualService::bind(*a, ConnCount::Active);
  for (int i = 0; i < 100; ++i) VirtualService::bind(*b, ConnCount::Inactive);
  EXPECT_EQ(pick(kD1), b);
  VirtualService::bind(*b, ConnCount::Inactive);
  VirtualService::bind(*b, ConnCount::Inactive);
  for (int i = 0; i < 200; ++i) VirtualService::bind(*b, ConnCount::Inactive);
  // B is now 302 > A's 256: a new address goes to A, D1 stays on B.
  EXPECT_EQ(pick(kD2), a);
  EXPECT_EQ(pick(kD1), b);
}

// is_overloaded(): active > weight AND some server has active*2 < weight. Then the entry moves
// to the fallback's choice and stays there when the old server recovers.
TEST_F(LblcTest, OverloadedServerIsAbandonedOnlyIfAnotherHasRoom) {
  Destination* a = add(1, 4);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);     // both 0: the head
  VirtualService::bind(*b, ConnCount::Active);
  VirtualService::bind(*b, ConnCount::Active);  // B: active 2 > weight 1
  // A: 0*2 < 4 → B is "overloaded": D1 moves to A (512/1 vs 0/4).
  EXPECT_EQ(pick(kD1), a);
  EXPECT_EQ(lblc().cached(kD1), a);
  EXPECT_EQ(b->refcnt, 2u);  // the two connections; the entry's reference moved to A
  EXPECT_EQ(a->refcnt, 1u);
  VirtualService::unbind(*b, ConnCount::Active);
  VirtualService::unbind(*b, ConnCount::Active);
  EXPECT_EQ(pick(kD1), a);  // sticky: A is fine, there is no way back to B by itself

  // Now A is over its weight (5 > 4) while B has 0*2 < 1: D1 moves to B.
  for (int i = 0; i < 5; ++i) VirtualService::bind(*a, ConnCount::Active);
  EXPECT_EQ(pick(kD1), b);
}

// Active exactly equal to the weight is not "more than the weight".
TEST_F(LblcTest, ActiveEqualToWeightIsNotOverloaded) {
  Destination* a = add(1, 4);
  Destination* b = add(2, 2);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  VirtualService::bind(*b, ConnCount::Active);
  VirtualService::bind(*b, ConnCount::Active);  // 2 == weight 2
  EXPECT_EQ(pick(kD1), b);
  VirtualService::bind(*b, ConnCount::Active);  // 3 > 2, A has 0*2 < 4
  EXPECT_EQ(pick(kD1), a);
  (void)a;
}

// A server that qualifies as "less loaded" only through active*2 < weight: weight 0 never does,
// and the scan is over every linked server, whatever its overload flag.
TEST_F(LblcTest, LessLoadedScanCountsThresholdOverloadedButNotQuiesced) {
  Destination* a = add(1, 3, /*u=*/1);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  VirtualService::bind(*b, ConnCount::Active);
  VirtualService::bind(*b, ConnCount::Active);    // B 2 > 1
  VirtualService::bind(*a, ConnCount::Inactive);  // A: total 1 >= u 1: flagged overloaded
  ASSERT_TRUE(a->overloaded);
  // A (active 0*2 < 3) still makes B "overloaded", but the fallback skips flagged A and only B
  // is left: D1 stays on B through the fallback.
  EXPECT_EQ(pick(kD1), b);
  // Quiesce A: weight 0 is never "less loaded" (0 < 0 is false): B is not overloaded any more.
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{0, 1, 0}));
  EXPECT_EQ(pick(kD1), b);
  EXPECT_EQ(lblc().cached(kD1), b);
}

// The u/l-threshold flag is not looked at on a cache hit, only by the fallback.
TEST_F(LblcTest, ThresholdOverloadDoesNotBreakAnExistingEntry) {
  Destination* b = add(2, 1);
  Destination* a = add(1, 1, /*u=*/1);  // list A, B
  ASSERT_EQ(pick(kD1), a);
  VirtualService::bind(*a, ConnCount::Inactive);
  ASSERT_TRUE(a->overloaded);
  EXPECT_EQ(pick(kD1), a);  // hit: no IP_VS_DEST_F_OVERLOAD check
  EXPECT_EQ(pick(kD2), b);  // miss: the fallback skips A
  // Raising the threshold clears the flag (__ip_vs_update_dest): A is a candidate again, but
  // its 1 inactive connection loses to B's 0.
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{1, 5, 0}));
  EXPECT_EQ(pick(kD3), b);
}

TEST_F(LblcTest, QuiescedServerIsAbandoned) {
  Destination* a = add(1, 1);
  Destination* b = add(2, 1);
  Destination* c = add(3, 1);  // list C, B, A
  ASSERT_EQ(pick(kD1), c);
  ASSERT_TRUE(svc_->edit_destination(rs(3), DestinationParams{0, 0, 0}));
  EXPECT_EQ(pick(kD1), b);  // weight 0 skipped; B, A tie: B
  EXPECT_EQ(c->refcnt, 0u);
  EXPECT_EQ(b->refcnt, 1u);
  ASSERT_TRUE(svc_->edit_destination(rs(3), DestinationParams{1, 0, 0}));
  EXPECT_EQ(pick(kD1), b);  // stays
  (void)a;
}

TEST_F(LblcTest, NoServerLeftKeepsTheEntryAndReturnsNull) {
  Destination* a = add(1, 1);
  ASSERT_EQ(pick(kD1), a);
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{0, 0, 0}));
  EXPECT_EQ(pick(kD1), nullptr);
  EXPECT_EQ(svc_->no_dest_total(), 1u);
  EXPECT_EQ(lblc().cached(kD1), a);  // as the kernel: the stale entry is left in place
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{2, 0, 0}));
  EXPECT_EQ(pick(kD1), a);
}

// A deleted server (not available) is skipped; the entry's reference keeps it in the trash
// until the entry lets go of it.
TEST_F(LblcTest, DeletedServerIsAbandonedAndFreedWhenReleased) {
  Destination* a = add(1, 1);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  ASSERT_TRUE(svc_->delete_destination(rs(2)));
  EXPECT_EQ(svc_->trash_size(), 1u);  // held by the entry
  EXPECT_EQ(pick(kD1), a);
  svc_->expire(1);
  EXPECT_EQ(svc_->trash_size(), 0u);
  EXPECT_EQ(a->refcnt, 1u);
}

// Deleted then re-added before the entry is touched: the same object comes back from the trash
// and the entry is good again.
TEST_F(LblcTest, RevivedServerKeepsItsEntries) {
  Destination* a = add(1, 1);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  VirtualService::bind(*b, ConnCount::Active);  // so a new address would go to A
  ASSERT_TRUE(svc_->delete_destination(rs(2)));
  Destination* b2 = add(2, 1);
  ASSERT_EQ(b2, b);  // revived
  EXPECT_EQ(pick(kD1), b);
  EXPECT_EQ(pick(kD2), a);
}

// The fallback sees added servers at the head and forgets removed ones.
TEST_F(LblcTest, FallbackFollowsAddEditDelete) {
  Destination* a = add(1, 1);
  VirtualService::bind(*a, ConnCount::Active);
  Destination* b = add(2, 2);  // list B, A
  VirtualService::bind(*b, ConnCount::Active);
  VirtualService::bind(*b, ConnCount::Active);
  // A 256/1, B 512/2: equal, B first.
  EXPECT_EQ(pick(kD1), b);
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{3, 0, 0}));  // A 85.3
  EXPECT_EQ(pick(kD2), a);
  Destination* c = add(3, 1);  // head, 0 connections
  EXPECT_EQ(pick(kD3), c);
  ASSERT_TRUE(svc_->delete_destination(rs(3)));
  EXPECT_EQ(pick(0x0a640004u), a);
}

// --- expiry -------------------------------------------------------------------------------

class LblcExpiryTest : public LblcTest {
 protected:
  LblcExpiryTest() : LblcTest(10 * kMinute) {}
};

// The full check runs every 30th periodic run (the timer is every 60 s, armed at the first
// time seen): at 30 min, 60 min, ... Idle longer than the expiration is not enough by itself.
TEST_F(LblcExpiryTest, FullCheckRemovesEntriesIdleForTheExpiration) {
  Destination* a = add(1, 1);
  ASSERT_EQ(pick(kD1, 0), a);
  ASSERT_EQ(pick(kD2, 0), a);
  EXPECT_EQ(a->refcnt, 2u);
  for (TimeMs t = 0; t < 25 * kMinute; t += kSecond) svc_->expire(t);
  ASSERT_EQ(pick(kD2, 25 * kMinute), a);  // D2 used at 25 min
  for (TimeMs t = 25 * kMinute; t < 30 * kMinute; t += kSecond) svc_->expire(t);
  EXPECT_EQ(lblc().entries(), 2u);  // D1 idle 30 min > 10 min, still there
  svc_->expire(30 * kMinute);
  EXPECT_EQ(lblc().entries(), 1u);
  EXPECT_EQ(lblc().cached(kD1), nullptr);
  EXPECT_EQ(lblc().cached(kD2), a);
  EXPECT_EQ(a->refcnt, 1u);
  svc_->expire(60 * kMinute - 1);  // a jumping clock: the missed runs are made up in order
  EXPECT_EQ(lblc().entries(), 1u);
  svc_->expire(60 * kMinute);
  EXPECT_EQ(lblc().entries(), 0u);
  EXPECT_EQ(a->refcnt, 0u);
}

// Default expiration 24 h = 48 full checks: removed exactly at 24 h (now >= lastuse + 24 h).
TEST_F(LblcTest, DefaultExpirationIs24Hours) {
  Destination* a = add(1, 1);
  ASSERT_EQ(pick(kD1, 5 * kSecond), a);  // arms the timer: runs at 65 s, 125 s, ...
  const TimeMs day = 24 * 60 * kMinute;
  svc_->expire(5 * kSecond + day - 1);
  EXPECT_EQ(lblc().entries(), 1u);
  svc_->expire(5 * kSecond + day);
  EXPECT_EQ(lblc().entries(), 0u);
  EXPECT_EQ(a->refcnt, 0u);
}

// A hit refreshes lastuse even when the entry's server is rejected and no server is left.
TEST_F(LblcExpiryTest, HitRefreshesLastUse) {
  Destination* a = add(1, 1);
  ASSERT_EQ(pick(kD1, 0), a);
  ASSERT_EQ(pick(kD1, 29 * kMinute), a);
  svc_->expire(30 * kMinute);
  EXPECT_EQ(lblc().cached(kD1), a);  // idle 1 min
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{0, 0, 0}));
  EXPECT_EQ(pick(kD1, 55 * kMinute), nullptr);
  svc_->expire(60 * kMinute);
  EXPECT_EQ(lblc().cached(kD1), a);  // idle 5 min
  svc_->expire(90 * kMinute);
  EXPECT_EQ(lblc().cached(kD1), nullptr);
}

// Over max_size (1024*16 entries), each periodic run removes entries unused for ENTRY_TIMEOUT
// (6 min), bucket by bucket from the one after the rover, until 4/3 of the excess are gone; it
// stops after the bucket where the goal is met and remembers where (the rover).
TEST_F(LblcTest, OverSizeCollectionFollowsBucketOrderAndRover) {
  Destination* a = add(1, 1);
  // Stale candidates: P in bucket 1 and Q in bucket 2 (used at 0), R in bucket 1 (used at 60 s).
  const Ipv4 p = address_in_bucket(1, 0xc0000000u);
  const Ipv4 q = address_in_bucket(2, 0xc0000000u);
  const Ipv4 r = address_in_bucket(1, p + 1);
  const Ipv4 x = address_in_bucket(5, 0xc0000000u);
  ASSERT_EQ(pick(p, 0), a);
  ASSERT_EQ(pick(q, 0), a);
  ASSERT_EQ(pick(x, 0), a);
  svc_->expire(60 * kSecond);
  ASSERT_EQ(pick(r, 60 * kSecond), a);
  svc_->expire(300 * kSecond - 1);
  // 16381 fresh entries at 300 s: 16385 in all, one over the maximum: goal = 1*4/3 = 1.
  for (Ipv4 i = 0; i < 16381; ++i) ASSERT_EQ(pick(0x0a000000u + i, 300 * kSecond), a);
  ASSERT_EQ(lblc().entries(), 16385u);
  // Run at 300 s: nothing is 6 min old yet; the whole table is walked, the rover comes back.
  svc_->expire(360 * kSecond - 1);
  EXPECT_EQ(lblc().entries(), 16385u);
  // Run at 360 s: from bucket 1, P goes (R is only 5 min old), goal met: stop, rover = 1.
  svc_->expire(360 * kSecond);
  EXPECT_EQ(lblc().entries(), 16384u);
  EXPECT_EQ(lblc().cached(p), nullptr);
  EXPECT_EQ(lblc().cached(r), a);
  EXPECT_EQ(lblc().cached(q), a);
  EXPECT_EQ(lblc().cached(x), a);
  // One more entry: over again. Run at 420 s starts at bucket 2: Q goes, R (now stale, but in
  // bucket 1, behind the rover) and X (bucket 5, after the goal was met) stay.
  ASSERT_EQ(pick(0x0b000000u, 400 * kSecond), a);
  svc_->expire(420 * kSecond);
  EXPECT_EQ(lblc().entries(), 16384u);
  EXPECT_EQ(lblc().cached(q), nullptr);
  EXPECT_EQ(lblc().cached(r), a);
  EXPECT_EQ(lblc().cached(x), a);
  EXPECT_EQ(a->refcnt, 16384u);
  // At the maximum (not over it) nothing more goes before the full check.
  svc_->expire(1000 * kSecond);
  EXPECT_EQ(lblc().entries(), 16384u);
}

// Goal = 4/3 of the excess: with 3 over, 4 stale entries in 4 different buckets all go.
TEST_F(LblcTest, OverSizeGoalIsFourThirdsOfTheExcess) {
  Destination* a = add(1, 1);
  std::vector<Ipv4> stale;
  for (std::uint32_t b = 10; b < 15; ++b) stale.push_back(address_in_bucket(b, 0xc0000000u));
  for (Ipv4 s : stale) ASSERT_EQ(pick(s, 0), a);  // 5 stale, buckets 10..14
  svc_->expire(300 * kSecond - 1);
  for (Ipv4 i = 0; i < 16384 + 3 - 5; ++i) ASSERT_EQ(pick(0x0a000000u + i, 300 * kSecond), a);
  ASSERT_EQ(lblc().entries(), 16387u);
  svc_->expire(360 * kSecond);  // goal (3*4)/3 = 4: buckets 10, 11, 12, 13 → stop before 14
  EXPECT_EQ(lblc().entries(), 16383u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(lblc().cached(stale[i]), nullptr) << i;
  EXPECT_EQ(lblc().cached(stale[4]), a);
}

// Runs that collect an over-size table do not advance the counter, so they postpone the
// next full check: 4 quiet runs (60..240 s, counter 1→5), 2 over-size runs (300, 360 s, counter
// stays 5), then 25 quiet runs (420..1860 s, counter 6..30): the full check is the run at 1920 s
// (it would be at 1800 s if every run counted).
TEST_F(LblcExpiryTest, OverSizeRunsPostponeTheFullCheck) {
  Destination* a = add(1, 1);
  ASSERT_EQ(pick(kD1, 0), a);
  svc_->expire(250 * kSecond);
  for (Ipv4 i = 0; i < 16384; ++i) ASSERT_EQ(pick(0x0a000000u + i, 250 * kSecond), a);
  svc_->expire(359 * kSecond);
  EXPECT_EQ(lblc().entries(), 16385u);  // at 300 s nothing was 6 min old
  svc_->expire(360 * kSecond);
  EXPECT_EQ(lblc().entries(), 16384u);  // D1 (idle 6 min) collected
  EXPECT_EQ(lblc().cached(kD1), nullptr);
  svc_->expire(1919 * kSecond);
  EXPECT_EQ(lblc().entries(), 16384u);  // idle 27 min > 10 min, but no full check yet
  svc_->expire(1920 * kSecond);
  EXPECT_EQ(lblc().entries(), 0u);
  EXPECT_EQ(a->refcnt, 0u);
}

// --- references -----------------------------------------------------------------------------

TEST_F(LblcTest, DestroyingTheSchedulerReleasesEveryReference) {
  Destination* a = add(1, 1);
  Destination* b = add(2, 1);
  ASSERT_EQ(pick(kD1), b);
  VirtualService::bind(*b, ConnCount::Active);
  ASSERT_EQ(pick(kD2), a);
  ASSERT_TRUE(svc_->delete_destination(rs(2)));
  VirtualService::unbind(*b, ConnCount::Active);  // only the D1 entry holds B now
  EXPECT_EQ(svc_->trash_size(), 1u);
  svc_->set_scheduler(std::make_unique<LocalityBasedLeastConnection>(), {});
  EXPECT_EQ(svc_->trash_size(), 0u);
  EXPECT_EQ(a->refcnt, 0u);
  EXPECT_TRUE(svc_->unreferenced());
}

// --- differential: against a literal transliteration of ip_vs_lblc.c ----------------------

// ip_vs_lblc_schedule() written the straightforward way: the table a std::map, the fallback the
// kernel's wlc loop, the periodic timer without the over-size path (the run stays far below
// it).
class ReferenceLblc {
 public:
  explicit ReferenceLblc(TimeMs expiration) : table_(expiration) {}

  Destination* schedule(DestinationList list, Ipv4 daddr, TimeMs now) {
    table_.arm(now);
    Entry* en = table_.find(daddr);
    if (en != nullptr) {
      en->lastuse = now;
      Destination* d = en->dest;
      if (d->available && d->weight > 0 && !test::kernel::locality_overloaded(list, *d)) return d;
    }
    Destination* least = test::kernel::wlc_schedule(list);
    if (least == nullptr) return nullptr;
    if (en != nullptr) {
      if (en->dest != least) {
        en->dest->release();
        least->hold();
        *en = Entry{least, now};
      }
    } else {
      least->hold();
      table_.insert(daddr, Entry{least, now});
    }
    return least;
  }

  void expire(TimeMs now) { table_.expire(now); }
  const Destination* cached(Ipv4 daddr) const {
    const Entry* en = table_.find(daddr);
    return en == nullptr ? nullptr : en->dest;
  }
  std::size_t size() const { return table_.size(); }

 private:
  struct Entry {
    Destination* dest;
    TimeMs lastuse;
    std::span<Destination* const> held() const { return {&dest, 1}; }
  };

  test::kernel::LocalityTable<Entry> table_;
};

TEST(LblcDifferentialTest, MatchesLiteralKernelAlgorithm) {
  test::locality_differential<LocalityBasedLeastConnection, ReferenceLblc>(
      20 * kMinute,
      {.unbind_below = 20,
       .toggle_below = 25,
       .tick_below = 32,
       .max_tick_s = 240,
       .addresses = 16,
       .max_u_threshold = 6},
      [](VirtualService& svc, const LocalityBasedLeastConnection& real, ReferenceLblc& ref,
         Ipv4 daddr, TimeMs now, Destination*& got, const std::string& where) {
        Destination* expected = ref.schedule(svc.destinations(), daddr, now);
        got = svc.schedule(to(daddr), now);
        ASSERT_EQ(got, expected) << where;
        ASSERT_EQ(real.cached(daddr), ref.cached(daddr)) << where;
      });
}

}  // namespace
}  // namespace lvs
