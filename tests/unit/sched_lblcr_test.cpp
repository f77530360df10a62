// lblcr (ip_vs_lblcr.c) to the bit: server sets per destination address, member selection, set
// growth under overload, shrinking after the expiration time, deleted members, table expiry,
// references. Expected sequences are derived by hand from the kernel source.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "sched/locality_based_least_connection_replication.h"
#include "service/virtual_service.h"

namespace lvs {
namespace {

constexpr TimeMs kSecond = 1000;
constexpr TimeMs kMinute = 60 * kSecond;

using Lblcr = LocalityBasedLeastConnectionReplication;
using Set = std::vector<const Destination*>;

Endpoint rs(std::uint32_t last_octet) { return Endpoint{0x0a000000u + last_octet, 80}; }

PacketInfo to(Ipv4 daddr) {
  PacketInfo p;
  p.saddr = 0xc0a80001u;
  p.sport = 40000;
  p.daddr = daddr;
  p.dport = 80;
  return p;
}

constexpr Ipv4 kD1 = 0x0a640001u;
constexpr Ipv4 kD2 = 0x0a640002u;

class LblcrTest : public ::testing::Test {
 protected:
  explicit LblcrTest(TimeMs expiration = Lblcr::kDefaultExpiration)
      : svc_(config::ServiceKey{config::ServiceProtocol::Tcp, Endpoint{0x0a6400ffu, 80}, 0},
             std::make_unique<Lblcr>(expiration), {}) {}

  const Lblcr& lblcr() const { return static_cast<const Lblcr&>(svc_.scheduler()); }
  Destination* add(std::uint32_t octet, std::int32_t weight, std::uint32_t u = 0) {
    return svc_.add_destination(rs(octet), DestinationParams{weight, u, 0});
  }
  Destination* pick(Ipv4 daddr, TimeMs now = 0) { return svc_.schedule(to(daddr), now); }
  static void active(Destination* d, int n) {
    for (int i = 0; i < n; ++i) VirtualService::bind(*d, ConnCount::Active);
  }
  static void drop_active(Destination* d, int n) {
    for (int i = 0; i < n; ++i) VirtualService::unbind(*d, ConnCount::Active);
  }

  VirtualService svc_;
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
  ASSERT_TRUE(svc_.edit_destination(rs(1), DestinationParams{4, 0, 0}));  // flag cleared
  EXPECT_EQ(pick(kD1), a);                                                // 3/4 < 1/1
  ASSERT_TRUE(svc_.edit_destination(rs(1), DestinationParams{0, 0, 0}));
  EXPECT_EQ(pick(kD1), b);  // A quiesced
  ASSERT_TRUE(svc_.edit_destination(rs(1), DestinationParams{4, 0, 0}));
  EXPECT_EQ(pick(kD1), a);
  ASSERT_TRUE(svc_.delete_destination(rs(1)));
  EXPECT_EQ(pick(kD1), b);  // A deleted: still a member (holding A in the trash), skipped
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a, b}));
  EXPECT_EQ(svc_.trash_size(), 1u);
}

// No usable member: the fallback's server joins; the unusable members stay.
TEST_F(LblcrTest, NoUsableMemberAddsTheFallbackServer) {
  Destination* a = add(1, 1);
  Destination* b = add(2, 1);  // list B, A
  ASSERT_EQ(pick(kD1), b);
  ASSERT_TRUE(svc_.edit_destination(rs(2), DestinationParams{0, 0, 0}));
  EXPECT_EQ(pick(kD1), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a, b}));
  ASSERT_TRUE(svc_.edit_destination(rs(2), DestinationParams{1, 0, 0}));
  EXPECT_EQ(pick(kD1), a);  // tie, A is the set's head
  ASSERT_TRUE(svc_.edit_destination(rs(1), DestinationParams{0, 0, 0}));
  ASSERT_TRUE(svc_.edit_destination(rs(2), DestinationParams{0, 0, 0}));
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
  ASSERT_TRUE(svc_.delete_destination(rs(2)));
  EXPECT_EQ(svc_.trash_size(), 1u);
  EXPECT_EQ(pick(kD1, 10 * kMinute + 1), a);
  EXPECT_EQ(lblcr().server_set(kD1), (Set{a}));
  drop_active(b, 1);
  svc_.expire(10 * kMinute + 2);
  EXPECT_EQ(svc_.trash_size(), 0u);

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
  ASSERT_TRUE(svc_.edit_destination(rs(3), DestinationParams{0, 0, 0}));  // C quiesced, 512
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
  svc_.expire(30 * kMinute - 1);
  EXPECT_EQ(lblcr().entries(), 2u);
  svc_.expire(30 * kMinute);  // D1 idle 30 min ≥ 10: gone; D2 idle 5 min: stays
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
  ASSERT_TRUE(svc_.delete_destination(rs(2)));
  EXPECT_EQ(svc_.trash_size(), 1u);
  svc_.set_scheduler(std::make_unique<Lblcr>(), {});
  EXPECT_EQ(svc_.trash_size(), 0u);
  EXPECT_EQ(a->refcnt, 0u);
  EXPECT_TRUE(svc_.unreferenced());
}

// --- differential: against a literal transliteration of ip_vs_lblcr.c ---------------------

class ReferenceLblcr {
 public:
  explicit ReferenceLblcr(TimeMs expiration) : expiration_(expiration) {}
  ~ReferenceLblcr() {
    for (auto& [addr, en] : table_) {
      for (Destination* d : en.members) VirtualService::release(*d);
    }
  }

  Destination* schedule(DestinationList list, Ipv4 daddr, TimeMs now) {
    arm(now);
    auto it = table_.find(daddr);
    if (it != table_.end()) {
      Entry& en = it->second;
      en.lastuse = now;
      Destination* dest = set_min(en);
      if (en.members.size() > 1 && now > en.lastmod + expiration_) {
        if (Destination* m = set_max(en)) {
          for (auto e = en.members.begin(); e != en.members.end(); ++e) {
            if (*e == m) {
              en.members.erase(e);
              en.lastmod = now;
              VirtualService::release(*m);
              break;
            }
          }
        }
      }
      if (dest != nullptr && !is_overloaded(list, *dest)) return dest;
      dest = wlc(list);
      if (dest == nullptr) return nullptr;
      bool member = false;
      for (Destination* d : en.members) member = member || d == dest;
      if (!member) {
        VirtualService::hold(*dest);
        en.members.insert(en.members.begin(), dest);
        en.lastmod = now;
      }
      return dest;
    }
    Destination* dest = wlc(list);
    if (dest == nullptr) return nullptr;
    VirtualService::hold(*dest);
    table_[daddr] = Entry{{dest}, now, now};
    return dest;
  }

  void expire(TimeMs now) {
    arm(now);
    while (next_ <= now) {
      const TimeMs at = next_;
      if (counter_ % 30 == 0) {
        for (auto it = table_.begin(); it != table_.end();) {
          if (at >= it->second.lastuse + expiration_) {
            for (Destination* d : it->second.members) VirtualService::release(*d);
            it = table_.erase(it);
          } else {
            ++it;
          }
        }
        counter_ = 1;
      } else {
        ++counter_;
      }
      next_ = at + 60 * kSecond;
    }
  }

  Set members(Ipv4 daddr) const {
    auto it = table_.find(daddr);
    if (it == table_.end()) return {};
    return {it->second.members.begin(), it->second.members.end()};
  }
  std::size_t size() const { return table_.size(); }

 private:
  struct Entry {
    std::vector<Destination*> members;
    TimeMs lastmod;
    TimeMs lastuse;
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
    std::int64_t loh = least->overhead();
    for (++i; i < en.members.size(); ++i) {
      Destination* d = en.members[i];
      if (d->overloaded) continue;
      const std::int64_t doh = d->overhead();
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
    std::int64_t moh = most->overhead();
    for (++i; i < en.members.size(); ++i) {
      Destination* d = en.members[i];
      const std::int64_t doh = d->overhead();
      if (moh * d->weight < doh * most->weight && d->weight > 0) {
        most = d;
        moh = doh;
      }
    }
    return most;
  }
  static Destination* wlc(DestinationList list) {
    std::size_t i = 0;
    for (; i < list.size(); ++i) {
      if (list[i]->overloaded) continue;
      if (list[i]->weight > 0) break;
    }
    if (i == list.size()) return nullptr;
    Destination* least = list[i];
    std::int64_t loh = least->overhead();
    for (++i; i < list.size(); ++i) {
      Destination* d = list[i];
      if (d->overloaded) continue;
      const std::int64_t doh = d->overhead();
      if (loh * d->weight > doh * least->weight) {
        least = d;
        loh = doh;
      }
    }
    return least;
  }
  static bool is_overloaded(DestinationList list, const Destination& dest) {
    if (std::int64_t{dest.activeconns} > dest.weight) {
      for (const Destination* d : list) {
        if (std::int64_t{d->activeconns} * 2 < d->weight) return true;
      }
    }
    return false;
  }
  void arm(TimeMs now) {
    if (!armed_) {
      armed_ = true;
      next_ = now + 60 * kSecond;
    }
  }

  TimeMs expiration_;
  std::map<Ipv4, Entry> table_;
  bool armed_ = false;
  TimeMs next_ = 0;
  int counter_ = 1;
};

TEST(LblcrDifferentialTest, MatchesLiteralKernelAlgorithm) {
  constexpr TimeMs kExpiration = 3 * kMinute;
  std::size_t grown = 0;
  std::size_t shrunk = 0;
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    auto pick_int = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    auto params = [&] {
      return DestinationParams{pick_int(0, 5),
                               static_cast<std::uint32_t>(pick_int(0, 1) * pick_int(1, 8)),
                               static_cast<std::uint32_t>(pick_int(0, 2))};
    };
    VirtualService svc(config::ServiceKey{}, std::make_unique<Lblcr>(kExpiration), {});
    const auto& real = static_cast<const Lblcr&>(svc.scheduler());
    auto ref = std::make_unique<ReferenceLblcr>(kExpiration);
    struct Conn {
      Destination* dest;
      ConnCount count;
    };
    std::vector<Conn> conns;
    TimeMs now = 0;
    for (int step = 0; step < 4000; ++step) {
      const int op = pick_int(0, 99);
      const Endpoint ep = rs(static_cast<std::uint32_t>(pick_int(1, 7)));
      if (op < 5) {
        svc.add_destination(ep, params());
      } else if (op < 9) {
        svc.edit_destination(ep, params());
      } else if (op < 11) {
        svc.delete_destination(ep);
      } else if (op < 22 && !conns.empty()) {
        const auto i = static_cast<std::size_t>(pick_int(0, static_cast<int>(conns.size()) - 1));
        VirtualService::unbind(*conns[i].dest, conns[i].count);
        conns.erase(conns.begin() + static_cast<std::ptrdiff_t>(i));
      } else if (op < 27 && !conns.empty()) {
        const auto i = static_cast<std::size_t>(pick_int(0, static_cast<int>(conns.size()) - 1));
        const bool to_active = conns[i].count == ConnCount::Inactive;
        VirtualService::set_active(*conns[i].dest, to_active);
        conns[i].count = to_active ? ConnCount::Active : ConnCount::Inactive;
      } else if (op < 34) {
        now += static_cast<TimeMs>(pick_int(0, 90)) * kSecond;
        ref->expire(now);
        svc.expire(now);
        ASSERT_EQ(real.entries(), ref->size()) << "seed " << seed << " step " << step;
      } else {
        const Ipv4 daddr = 0x0a640000u + static_cast<Ipv4>(pick_int(0, 9));
        const std::size_t before = ref->members(daddr).size();
        Destination* expected = ref->schedule(svc.destinations(), daddr, now);
        Destination* got = svc.schedule(to(daddr), now);
        ASSERT_EQ(got, expected) << "seed " << seed << " step " << step;
        ASSERT_EQ(real.server_set(daddr), ref->members(daddr))
            << "seed " << seed << " step " << step;
        const std::size_t after = ref->members(daddr).size();
        if (before > 0 && after > before) ++grown;
        if (after < before) ++shrunk;
        if (got != nullptr) {
          const ConnCount c = pick_int(0, 1) == 0 ? ConnCount::Active : ConnCount::Inactive;
          VirtualService::bind(*got, c);
          conns.push_back(Conn{got, c});
        }
      }
    }
    for (const Conn& c : conns) VirtualService::unbind(*c.dest, c.count);
    ref.reset();
    svc.set_scheduler(std::make_unique<Lblcr>(), {});
    EXPECT_TRUE(svc.unreferenced()) << "seed " << seed;
    EXPECT_EQ(svc.trash_size(), 0u) << "seed " << seed;
  }
  // The run must have exercised both set growth and shrinking.
  EXPECT_GT(grown, 100u);
  EXPECT_GT(shrunk, 100u);
}

}  // namespace
}  // namespace lvs
