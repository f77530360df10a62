// lblcr (ip_vs_lblcr.c) to the bit: server sets per destination address, member selection, set
// growth under overload, shrinking after the expiration time, deleted members, table expiry,
// references. Expected sequences are derived by hand from the kernel source.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "sched/locality_based_least_connection_replication.h"
#include "service/virtual_service.h"
#include "support/kernel_reference.h"
#include "support/locality_scheduler.h"

namespace lvs {
namespace {

using test::kMinute;
using test::rs;
using test::to;

using Lblcr = LocalityBasedLeastConnectionReplication;
using Set = std::vector<const Destination*>;

constexpr Ipv4 kD1 = 0x0a640001u;
constexpr Ipv4 kD2 = 0x0a640002u;

class LblcrTest : public test::LocalitySchedulerTest<Lblcr> {
 protected:
  using LocalitySchedulerTest::LocalitySchedulerTest;
  const Lblcr& lblcr() const { return sched(); }
  static void active(Destination* d, int n) {
    for (int i = 0; i < n; ++i) VirtualService::bind(*d, ConnCount::Active);
  }
  static void drop_active(Destination* d, int n) {
    for (int i = 0; i < n; ++i) VirtualService::unbind(*d, ConnCount::Active);
  }
};

class LblcrShortExpiryTest : public LblcrTest {
 protected:
  LblcrShortExpiryTest() : LblcrTest(10 * kMinute) {}
};

TEST_F(LblcrTest, NameAndEmptyService) {
  EXPECT_EQ(lblcr().name(), "lblcr");
  EXPECT_EQ(pick(kD1), nullptr);
  EXPECT_EQ(lblcr().entries(), 0u);
}

TEST_F(LblcrTest, NewAddressGetsTheWeightedLeastConnectionServer) {
  Destination* a = add(1, 1);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  active(b, 1);
  ASSERT_EQ(pick(kD2), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{b}));
  EXPECT_EQ(lblcr().server_set(kD2), (Set{a}));
  EXPECT_EQ(pick(kD1), b);  // sticky although B carries more
  EXPECT_EQ(b->refcnt, 2u);
}

// The set's least loaded member is overloaded (active > weight) while some server has
// active*2 < weight: the fallback's choice joins the set at its head and serves.
TEST_F(LblcrTest, SetGrowsUnderOverloadAndServesItsLeastLoadedMember) {
  Destination* a = add(1, 4);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  active(b, 2);  // B: 2 > 1, A: 0*2 < 4
  EXPECT_EQ(pick(kD1), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a, b}));
  EXPECT_EQ(a->refcnt, 1u);
  EXPECT_EQ(b->refcnt, 3u);
  active(a, 1);  // A 256/4 = 64 < B 512/1
  EXPECT_EQ(pick(kD1), a);
  drop_active(b, 2);  // B 0/1 < A 64
  EXPECT_EQ(pick(kD1), b);
  active(b, 1);  // B 256/1 > A 64
  EXPECT_EQ(pick(kD1), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a, b}));  // no change on those hits
}

// set_min() skips members flagged by the u/l thresholds (unlike lblc's hit path), deleted ones
// and quiesced ones; ties go to the member added last (the set's head).
TEST_F(LblcrTest, MemberSelectionSkipsFlaggedDeletedAndQuiesced) {
  Destination* a = add(1, 4, /*u=*/3);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  active(b, 2);
  ASSERT_EQ(pick(kD1), a);  // set {A, B}
  drop_active(b, 2);        // A and B both 0: tie → A (head of the set)
  EXPECT_EQ(pick(kD1), a);
  VirtualService::bind(*b, ConnCount::Inactive);                              // B 1/1
  for (int i = 0; i < 3; ++i) VirtualService::bind(*a, ConnCount::Inactive);  // A 3/4
  ASSERT_TRUE(a->overloaded);
  EXPECT_EQ(pick(kD1), b);  // A flagged: skipped although it is less loaded
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{4, 0, 0}));  // flag cleared
  EXPECT_EQ(pick(kD1), a);                                                 // 3/4 < 1/1
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{0, 0, 0}));
  EXPECT_EQ(pick(kD1), b);  // A quiesced
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{4, 0, 0}));
  EXPECT_EQ(pick(kD1), a);
  ASSERT_TRUE(svc_->delete_destination(rs(1)));
  EXPECT_EQ(pick(kD1), b);  // A deleted: still a member (holding A in the trash), skipped
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a, b}));
  EXPECT_EQ(svc_->trash_size(), 1u);
}

// No usable member: the fallback's server joins; the unusable members stay.
TEST_F(LblcrTest, NoUsableMemberAddsTheFallbackServer) {
  Destination* a = add(1, 1);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  ASSERT_TRUE(svc_->edit_destination(rs(2), DestinationParams{0, 0, 0}));
  EXPECT_EQ(pick(kD1), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a, b}));
  ASSERT_TRUE(svc_->edit_destination(rs(2), DestinationParams{1, 0, 0}));
  EXPECT_EQ(pick(kD1), a);  // tie, A is the set's head
  ASSERT_TRUE(svc_->edit_destination(rs(1), DestinationParams{0, 0, 0}));
  ASSERT_TRUE(svc_->edit_destination(rs(2), DestinationParams{0, 0, 0}));
  EXPECT_EQ(pick(kD1), nullptr);  // no server at all: nothing changes
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a, b}));
}

// The fallback picks a server already in the set: ip_vs_dest_set_insert(check) does nothing.
TEST_F(LblcrTest, FallbackChoosingAMemberDoesNotDuplicateIt) {
  Destination* a = add(1, 4, /*u=*/1);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  active(b, 2);
  VirtualService::bind(*a, ConnCount::Inactive);  // A flagged, but 0*2 < 4 makes B overloaded
  ASSERT_TRUE(a->overloaded);
  EXPECT_EQ(pick(kD1), b);  // fallback skips A → B again
  EXPECT_EQ(lblcr().server_set(kD1), (Set{b}));
  EXPECT_EQ(b->refcnt, 3u);
}

// Shrinking: more than one member and lastmod older than the expiration (strictly): the most
// loaded member (overhead/weight, ties to the head) is removed, lastmod = now.
TEST_F(LblcrShortExpiryTest, SetShedsItsMostLoadedMemberAfterTheExpiration) {
  Destination* a = add(1, 4);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1, 0), b);
  active(b, 2);
  ASSERT_EQ(pick(kD1, 1 * kMinute), a);   // set {A, B}, lastmod 1 min
  active(a, 1);                           // A 64, B 512
  EXPECT_EQ(pick(kD1, 11 * kMinute), a);  // exactly 10 min: not yet
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a, b}));
  EXPECT_EQ(pick(kD1, 11 * kMinute + 1), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a}));
  EXPECT_EQ(b->refcnt, 2u);  // its two connections only
  // A single member is never shed.
  EXPECT_EQ(pick(kD1, 60 * kMinute), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a}));
}

// set_min() is computed before the shrink: with equal loads both set_min and set_max pick the
// head, which is shed and still returned (as the kernel does); the next decision uses the rest.
TEST_F(LblcrShortExpiryTest, ShedMemberIsStillReturnedOnce) {
  Destination* a = add(1, 4);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1, 0), b);
  active(b, 2);
  ASSERT_EQ(pick(kD1, 0), a);  // set {A, B}, lastmod 0
  drop_active(b, 2);           // both 0
  EXPECT_EQ(pick(kD1, 10 * kMinute + 1), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{b}));
  EXPECT_EQ(a->refcnt, 0u);
  EXPECT_EQ(pick(kD1, 10 * kMinute + 2), b);
}

// set_max() ignores availability and the threshold flag: a deleted member can be shed (and is
// then freed); a quiesced one (weight 0) never is.
TEST_F(LblcrShortExpiryTest, DeletedMemberIsShedQuiescedIsNot) {
  Destination* a = add(1, 4);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1, 0), b);
  active(b, 2);
  ASSERT_EQ(pick(kD1, 0), a);  // set {A, B}
  drop_active(b, 1);           // B 256/1, A 0
  ASSERT_TRUE(svc_->delete_destination(rs(2)));
  EXPECT_EQ(svc_->trash_size(), 1u);
  EXPECT_EQ(pick(kD1, 10 * kMinute + 1), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a}));
  drop_active(b, 1);
  svc_->expire(10 * kMinute + 2);
  EXPECT_EQ(svc_->trash_size(), 0u);

  // Quiesced member with the highest load is passed over by set_max: the other one goes.
  Destination* c = add(3, 1);  // list C, A
  active(a, 5);                // A 5 > 4 active; C 0*2 < 1: A overloaded
  ASSERT_EQ(pick(kD2, 11 * kMinute), c);
  ASSERT_EQ(pick(kD2, 11 * kMinute), c);  // set {C}
  ASSERT_EQ(lblcr().server_set(kD2), (Set{c}));
  active(c, 2);  // C 2 > 1, A 5*2 < 4? no → C not overloaded: no growth
  ASSERT_EQ(pick(kD2, 11 * kMinute), c);
  drop_active(a, 5);  // A 0*2 < 4: C overloaded → A joins: {A, C}
  ASSERT_EQ(pick(kD2, 12 * kMinute), a);
  ASSERT_EQ(lblcr().server_set(kD2), (Set{a, c}));
  ASSERT_TRUE(svc_->edit_destination(rs(3), DestinationParams{0, 0, 0}));  // C quiesced, 512
  EXPECT_EQ(pick(kD2, 22 * kMinute + 1), a);  // set_max: only A has weight > 0 → A shed
  EXPECT_EQ(lblcr().server_set(kD2), (Set{c}));
}

// Table expiry is the lblc one: the full check (every 30th periodic run) drops entries unused
// for the expiration, releasing every member.
TEST_F(LblcrShortExpiryTest, EntriesExpireAndReleaseTheirMembers) {
  Destination* a = add(1, 4);
  Destination* b = add(2, 1);
  ASSERT_EQ(pick(kD1, 0), b);
  active(b, 2);
  ASSERT_EQ(pick(kD1, 0), a);  // {A, B}
  drop_active(b, 2);
  ASSERT_EQ(pick(kD2, 25 * kMinute), b);  // both idle: the list head
  svc_->expire(30 * kMinute - 1);
  EXPECT_EQ(lblcr().entries(), 2u);
  svc_->expire(30 * kMinute);  // D1 idle 30 min ≥ 10: gone; D2 idle 5 min: stays
  EXPECT_EQ(lblcr().entries(), 1u);
  EXPECT_EQ(lblcr().server_set(kD1), Set{});
  EXPECT_EQ(a->refcnt, 0u);
  EXPECT_EQ(b->refcnt, 1u);
  EXPECT_EQ(lblcr().server_set(kD2), (Set{b}));
}

TEST_F(LblcrTest, DestroyingTheSchedulerReleasesEveryReference) {
  Destination* a = add(1, 4);
  Destination* b = add(2, 1);
  ASSERT_EQ(pick(kD1), b);
  active(b, 2);
  ASSERT_EQ(pick(kD1), a);
  ASSERT_EQ(pick(kD2), a);
  drop_active(b, 2);
  ASSERT_TRUE(svc_->delete_destination(rs(2)));
  EXPECT_EQ(svc_->trash_size(), 1u);
  svc_->set_scheduler(std::make_unique<Lblcr>(), {});
  EXPECT_EQ(svc_->trash_size(), 0u);
  EXPECT_EQ(a->refcnt, 0u);
  EXPECT_TRUE(svc_->unreferenced());
}

// --- differential: against a literal transliteration of ip_vs_lblcr.c ---------------------

// ip_vs_lblcr_schedule() written the straightforward way: the table a std::map, each server set
// a vector with its head first, ip_vs_dest_set_min()/_max() as the kernel's loops.
class ReferenceLblcr {
 public:
  explicit ReferenceLblcr(TimeMs expiration) : table_(expiration) {}

  Destination* schedule(DestinationList list, Ipv4 daddr, TimeMs now) {
    table_.arm(now);
    if (Entry* en = table_.find(daddr)) {
      en->lastuse = now;
      Destination* dest = set_min(*en);
      if (en->members.size() > 1 && now > en->lastmod + table_.expiration()) {
        if (Destination* m = set_max(*en)) {
          for (auto e = en->members.begin(); e != en->members.end(); ++e) {
            if (*e == m) {
              en->members.erase(e);
              en->lastmod = now;
              m->release();
              break;
            }
          }
        }
      }
      if (dest != nullptr && !test::kernel::locality_overloaded(list, *dest)) return dest;
      dest = test::kernel::wlc_schedule(list);
      if (dest == nullptr) return nullptr;
      bool member = false;
      for (Destination* d : en->members) member = member || d == dest;
      if (!member) {
        dest->hold();
        en->members.insert(en->members.begin(), dest);
        en->lastmod = now;
      }
      return dest;
    }
    Destination* dest = test::kernel::wlc_schedule(list);
    if (dest == nullptr) return nullptr;
    dest->hold();
    table_.insert(daddr, Entry{{dest}, now, now});
    return dest;
  }

  void expire(TimeMs now) { table_.expire(now); }
  Set members(Ipv4 daddr) const {
    const Entry* en = table_.find(daddr);
    if (en == nullptr) return {};
    return {en->members.begin(), en->members.end()};
  }
  std::size_t size() const { return table_.size(); }

 private:
  struct Entry {
    std::vector<Destination*> members;
    TimeMs lastmod;
    TimeMs lastuse;
    const std::vector<Destination*>& held() const { return members; }
  };

  // Literal ip_vs_dest_set_min(): first stage, then the continue loop.
  static Destination* set_min(const Entry& en) {
    std::size_t i = 0;
    Destination* least = nullptr;
    for (; i < en.members.size(); ++i) {
      least = en.members[i];
      if (least->overloaded) continue;
      if (least->weight > 0 && least->available) break;
    }
    if (i == en.members.size()) return nullptr;
    std::int64_t loh = test::kernel::conn_overhead(*least);
    for (++i; i < en.members.size(); ++i) {
      Destination* d = en.members[i];
      if (d->overloaded) continue;
      const std::int64_t doh = test::kernel::conn_overhead(*d);
      if (loh * d->weight > doh * least->weight && d->available) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
  // Literal ip_vs_dest_set_max().
  static Destination* set_max(const Entry& en) {
    std::size_t i = 0;
    for (; i < en.members.size(); ++i) {
      if (en.members[i]->weight > 0) break;
    }
    if (i == en.members.size()) return nullptr;
    Destination* most = en.members[i];
    std::int64_t moh = test::kernel::conn_overhead(*most);
    for (++i; i < en.members.size(); ++i) {
      Destination* d = en.members[i];
      const std::int64_t doh = test::kernel::conn_overhead(*d);
      if (moh * d->weight < doh * most->weight && d->weight > 0) {
        most = d;
        moh = doh;
      }
    }
    return most;
  }

  test::kernel::LocalityTable<Entry> table_;
};

TEST(LblcrDifferentialTest, MatchesLiteralKernelAlgorithm) {
  std::size_t grown = 0;
  std::size_t shrunk = 0;
  test::locality_differential<Lblcr, ReferenceLblcr>(
      3 * kMinute,
      {.unbind_below = 22,
       .toggle_below = 27,
       .tick_below = 34,
       .max_tick_s = 90,
       .addresses = 10,
       .max_u_threshold = 8},
      [&](VirtualService& svc, const Lblcr& real, ReferenceLblcr& ref, Ipv4 daddr, TimeMs now,
          Destination*& got, const std::string& where) {
        const std::size_t before = ref.members(daddr).size();
        Destination* expected = ref.schedule(svc.destinations(), daddr, now);
        got = svc.schedule(to(daddr), now);
        ASSERT_EQ(got, expected) << where;
        ASSERT_EQ(real.server_set(daddr), ref.members(daddr)) << where;
        const std::size_t after = ref.members(daddr).size();
        if (before > 0 && after > before) ++grown;
        if (after < before) ++shrunk;
      });
  if (HasFatalFailure()) return;
  // The run must have exercised both set growth and shrinking.
  EXPECT_GT(grown, 100u);
  EXPECT_GT(shrunk, 100u);
}

}  // namespace
}  // namespace lvs
