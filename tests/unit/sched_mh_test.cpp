// mh (ip_vs_mh.c). The small tables below use M = 7 slots and were filled by hand from the
// kernel's algorithm (ip_vs_mh_permutate() + ip_vs_mh_populate()); only the hash values came
// from a program: an independent SipHash-1-3 in Python (64-bit words, low 32 bits of the result,
// checked against lib/test_siphash.c's 64-bit hsiphash vectors), fed the kernel's input, the
// 32-bit sum offset + port + address in host order, as 4 little-endian bytes.
//
// Servers (port 80) and their hashes; offset = hash1 % 7, skip = hash2 % 6 + 1, permutation =
// offset, offset + skip, ... (mod 7):
//   A 10.0.0.1  hash1 0x439c0cbe -> 1, hash2 0x97b3dc47 -> 4   perm 1 5 2 6 3 0 4
//   B 10.0.0.2  hash1 0xa1cf683b -> 0, hash2 0xfa5d46df -> 4   perm 0 4 1 5 2 6 3
//   C 10.0.0.3  hash1 0x2cdf0afa -> 3, hash2 0xedeb33d0 -> 3   perm 3 6 2 5 1 4 0
//   D 10.0.0.4  hash1 0xe366bfaf -> 5, hash2 0x522ed62b -> 2   perm 5 0 2 4 6 1 3
//   F 10.0.0.6  offset 1, skip 2                                perm 1 3 5 0 2 4 6
// Clients (port 0, i.e. without mh-port) and their slot hash1(addr) % 7, with the fallback
// probes ip_vs_mh_get_fallback() makes: slot hash1(addr + (slot + k) % 7) % 7 for k = 0, 1, ...
//   192.168.0.1  0x8334668e -> 1   probes 3 4 2 1 0 4 1
//   192.168.0.2  0x19fbd6ed -> 3   probes 1 0 4 2 3 4 2
//   192.168.0.3  0xecc738ee -> 4   probes 4 2 6 4 2 1 0
//   192.168.0.4  0x2f0a8536 -> 2   probes 0 4 2 6 3 2 1
//   192.168.0.6  0xcfa2d5ea -> 0   probes 0 4 2 6 3 5 3
//   192.168.0.9  0xdea70be8 -> 6   probes 0 6 3 5 3 5 1
//   192.168.0.11 0x58e3c1d9 -> 5   probes 0 1 5 3 5 1 0
// A table is written as the letters of slots 0..6.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "sched/maglev_hashing.h"
#include "service/virtual_service.h"
#include "support/scheduler_fixture.h"

namespace lvs {
namespace {

using Shape = MaglevHashing::TableShape;

constexpr Endpoint kA{0x0a000001, 80};
constexpr Endpoint kB{0x0a000002, 80};
constexpr Endpoint kC{0x0a000003, 80};
constexpr Endpoint kD{0x0a000004, 80};
constexpr Endpoint kF{0x0a000006, 80};

constexpr Ipv4 k192_168_0_1 = 0xc0a80001;
constexpr Ipv4 k192_168_0_2 = 0xc0a80002;
constexpr Ipv4 k192_168_0_3 = 0xc0a80003;
constexpr Ipv4 k192_168_0_4 = 0xc0a80004;
constexpr Ipv4 k192_168_0_6 = 0xc0a80006;
constexpr Ipv4 k192_168_0_9 = 0xc0a80009;
constexpr Ipv4 k192_168_0_11 = 0xc0a8000b;

// 7 slots; 6 weight bits (as the default index 12), so small weights are never shifted.
constexpr Shape kSeven(7, 6);
// 7 slots keeping 1 bit of weight / gcd: larger weights are shifted down.
constexpr Shape kSevenOneBit(7, 1);

// A packet from a client to the VIP 10.200.0.100:80.
PacketInfo from(Ipv4 saddr, std::uint16_t sport = 0, std::uint8_t protocol = kProtoTcp) {
  return {.protocol = protocol, .saddr = saddr, .sport = sport, .daddr = 0x0ac80064, .dport = 80};
}

class MaglevHashingTest : public test::SchedulerTest<MaglevHashing> {
 protected:
  MaglevHashingTest() : SchedulerTest(std::make_unique<MaglevHashing>(SchedulerFlags{}, kSeven)) {}
  void make(SchedulerFlags flags, Shape shape = kSeven) {
    SchedulerTest::make(std::make_unique<MaglevHashing>(flags, shape), flags);
  }
  // A, B, C added in that order with these weights: list C, B, A.
  void add_abc(std::int32_t wa = 1, std::int32_t wb = 1, std::int32_t wc = 1, std::uint32_t u = 0) {
    a_ = add(kA, wa, u);
    b_ = add(kB, wb, u);
    c_ = add(kC, wc, u);
  }
  // The table as letters: 'A' for 10.0.0.1, 'B' for 10.0.0.2, ..., '-' for an empty slot.
  std::string table() const {
    std::string out;
    for (std::size_t i = 0; i < sched_->table_size(); ++i) {
      const Destination* d = sched_->slot(i);
      out += d == nullptr ? '-' : static_cast<char>('A' + (d->address.addr - kA.addr));
    }
    return out;
  }
  Destination* a_ = nullptr;
  Destination* b_ = nullptr;
  Destination* c_ = nullptr;
};

TEST(MaglevHashingShape, TableSizesAreTheKernelPrimes) {
  // primes[CONFIG_IP_VS_MH_TAB_INDEX - 8], IP_VS_MH_TAB_BITS = index / 2.
  static_assert(Shape::for_tab_index(8).size == 251 && Shape::for_tab_index(8).weight_bits == 4);
  static_assert(Shape::for_tab_index(12).size == 4093);
  static_assert(Shape::for_tab_index(12).weight_bits == 6);
  static_assert(Shape::for_tab_index(16).size == 65521);
  static_assert(Shape::for_tab_index(17).size == 131071);
  static_assert(Shape::for_tab_index(17).weight_bits == 8);
  // The build's option picks the default.
  EXPECT_EQ(MaglevHashing::kDefaultShape.size, Shape::for_tab_index(LVS_IP_VS_MH_TAB_INDEX).size);
  MaglevHashing mh{SchedulerFlags{}};
  EXPECT_EQ(mh.table_size(), MaglevHashing::kDefaultShape.size);
}

// ipvsadm(8) lists mh after ovf (it came last, in Linux 4.18).
TEST(MaglevHashingFactory, MhIsMadeByNameAndListedAfterOvf) {
  auto s = make_scheduler("mh", SchedulerFlags{});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name(), "mh");
  auto names = scheduler_names();
  auto ovf = std::find(names.begin(), names.end(), "ovf");
  ASSERT_NE(ovf, names.end());
  ASSERT_NE(ovf + 1, names.end());
  EXPECT_EQ(*(ovf + 1), "mh");
}

TEST(MaglevHashingHash, IsHsiphashOfTheHostOrderSumWithTheFixedKeys) {
  EXPECT_EQ(MaglevHashing::hash_key(kA.addr, 80, MaglevHashing::kOffsetKey, 0), 0x439c0cbeu);
  EXPECT_EQ(MaglevHashing::hash_key(kA.addr, 80, MaglevHashing::kSkipKey, 0), 0x97b3dc47u);
  EXPECT_EQ(MaglevHashing::hash_key(k192_168_0_1, 0, MaglevHashing::kOffsetKey, 0), 0x8334668eu);
  // Address, port and offset are only added: 192.168.0.1 + 5 is 192.168.0.6.
  EXPECT_EQ(MaglevHashing::hash_key(k192_168_0_1, 5, MaglevHashing::kOffsetKey, 0), 0xcfa2d5eau);
  EXPECT_EQ(MaglevHashing::hash_key(k192_168_0_1, 0, MaglevHashing::kOffsetKey, 5), 0xcfa2d5eau);
  // The sum wraps at 32 bits.
  EXPECT_EQ(MaglevHashing::hash_key(0xffffffffu, 2, MaglevHashing::kOffsetKey, 0),
            MaglevHashing::hash_key(1, 0, MaglevHashing::kOffsetKey, 0));
}

TEST_F(MaglevHashingTest, EmptyServiceHasNoServer) {
  make({.fallback = true, .port = true});
  EXPECT_EQ(table(), "-------");
  EXPECT_EQ(pick(from(k192_168_0_1)), nullptr);
}

TEST_F(MaglevHashingTest, EqualWeightsTakeOneSlotEachPerRound) {
  add_abc();
  // List C, B, A; one turn each.
  //   round 1: C 3; B 0; A 1
  //   round 2: C 3 taken -> 6; B 0 taken -> 4; A 1 taken -> 5
  //   round 3: C 6 taken -> 2 (7 slots filled)
  EXPECT_EQ(table(), "BACCBAC");
  EXPECT_EQ(pick(from(k192_168_0_6)), b_);   // slot 0
  EXPECT_EQ(pick(from(k192_168_0_1)), a_);   // slot 1
  EXPECT_EQ(pick(from(k192_168_0_4)), c_);   // slot 2
  EXPECT_EQ(pick(from(k192_168_0_2)), c_);   // slot 3
  EXPECT_EQ(pick(from(k192_168_0_3)), b_);   // slot 4
  EXPECT_EQ(pick(from(k192_168_0_11)), a_);  // slot 5
  EXPECT_EQ(pick(from(k192_168_0_9)), c_);   // slot 6
}

TEST_F(MaglevHashingTest, TurnsAreWeightOverGcdTakenInARow) {
  add_abc(1, 2, 1);
  // Turns C 1, B 2, A 1.
  //   round 1: C 3; B 0, B 0 taken -> 4; A 1
  //   round 2: C 3 -> 6; B 4 -> 1 -> 5, B 5 -> 2 (full)
  EXPECT_EQ(table(), "BABCBBC");
  EXPECT_EQ(pick(from(k192_168_0_4)), b_);  // slot 2
  // Weights 2, 4, 2 have gcd 2: the same turns, the same table.
  make({});
  add_abc(2, 4, 2);
  EXPECT_EQ(table(), "BABCBBC");
}

TEST_F(MaglevHashingTest, TurnsKeepOnlyTheTableBitsOfTheWeight) {
  add_abc(4, 2, 1);
  // 6 bits kept: max / gcd = 4 fits, turns C 1, B 2, A 4.
  //   round 1: C 3; B 0, 0 -> 4; A 1, 1 -> 5, 5 -> 2, 2 -> 6 (full)
  EXPECT_EQ(table(), "BAACBAA");
  // 1 bit kept: fls(4) = 3, rshift 2; A 4 >> 2 = 1, B 2 >> 2 = 0 and C 1 >> 2 = 0 become 1
  // (a positive weight never loses its last turn): all 1, the equal-weights table.
  make({}, kSevenOneBit);
  add_abc(4, 2, 1);
  EXPECT_EQ(table(), "BACCBAC");
}

TEST_F(MaglevHashingTest, ListOrderDecidesWhoGetsASharedSlot) {
  // A and F both start at slot 1; the one nearer the list head takes it.
  a_ = add(kA);
  add(kF);  // list F, A
  //   round 1: F 1; A 1 taken -> 5   round 2: F 3; A 5 -> 2
  //   round 3: F 3 -> 5 -> 0; A 2 -> 6   round 4: F 0 -> 2 -> 4
  EXPECT_EQ(table(), "FFAFFAA");
  make({});
  add(kF);
  a_ = add(kA);  // list A, F
  //   round 1: A 1; F 1 taken -> 3   round 2: A 5; F 3 -> 5 -> 0
  //   round 3: A 5 -> 2; F 0 -> 2 -> 4   round 4: A 2 -> 6
  EXPECT_EQ(table(), "FAAFFAA");
}

TEST_F(MaglevHashingTest, ServerAddedWithWeightZeroGetsNoSlot) {
  add_abc(1, 1, 0);
  // C has last_weight 0: 0 turns, passed over.
  //   round 1: B 0; A 1   round 2: B 0 -> 4; A 1 -> 5
  //   round 3: B 4 -> 1 -> 5 -> 2; A 5 -> 2 -> 6   round 4: B 2 -> 6 -> 3
  EXPECT_EQ(table(), "BABBBAA");
  EXPECT_EQ(c_->last_weight, 0);
  EXPECT_EQ(c_->refcnt, 0u);  // not in the table, not held
  // Given a weight, it takes its slots.
  ASSERT_TRUE(svc_->edit_destination(kC, {1, 0, 0}));
  EXPECT_EQ(table(), "BACCBAC");
}

TEST_F(MaglevHashingTest, ServerEditedToWeightZeroKeepsItsSlots) {
  add_abc();
  ASSERT_TRUE(svc_->edit_destination(kC, {0, 0, 0}));
  // last_weight stays 1: the table does not move; C's flows find it unavailable.
  EXPECT_EQ(c_->last_weight, 1);
  EXPECT_EQ(table(), "BACCBAC");
  EXPECT_EQ(pick(from(k192_168_0_4)), nullptr);  // slot 2, C
  EXPECT_EQ(pick(from(k192_168_0_6)), b_);       // slot 0, B: unaffected
  // Back to weight 1: the same table, C chosen again.
  ASSERT_TRUE(svc_->edit_destination(kC, {1, 0, 0}));
  EXPECT_EQ(table(), "BACCBAC");
  EXPECT_EQ(pick(from(k192_168_0_4)), c_);
  // A non-zero edit is remembered: C 2 gives C 2 turns.
  ASSERT_TRUE(svc_->edit_destination(kC, {2, 0, 0}));
  EXPECT_EQ(c_->last_weight, 2);
  //   round 1: C 3, C 3 -> 6; B 0; A 1   round 2: C 6 -> 2, C 2 -> 5; B 0 -> 4 (full)
  EXPECT_EQ(table(), "BACCBCC");
}

TEST_F(MaglevHashingTest, UnavailableServerMeansNoServerWithoutFallback) {
  add_abc(1, 1, 1, /*u=*/1);
  VirtualService::bind(*a_, ConnCount::Inactive);  // A overloaded
  EXPECT_EQ(pick(from(k192_168_0_1)), nullptr);    // slot 1, A
  EXPECT_EQ(pick(from(k192_168_0_11)), nullptr);   // slot 5, A
  EXPECT_EQ(pick(from(k192_168_0_2)), c_);         // slot 3, C
  VirtualService::set_dead(*c_, true);             // dead counts as overloaded
  EXPECT_EQ(pick(from(k192_168_0_2)), nullptr);
  EXPECT_EQ(pick(from(k192_168_0_6)), b_);
  // The table itself never changes for load.
  EXPECT_EQ(table(), "BACCBAC");
}

TEST_F(MaglevHashingTest, FallbackProbesRehashedSlots) {
  make({.fallback = true, .port = false});
  add_abc(1, 1, 1, /*u=*/1);
  EXPECT_EQ(pick(from(k192_168_0_1)), a_);         // usable: no probing
  VirtualService::bind(*a_, ConnCount::Inactive);  // A overloaded
  // 192.168.0.1: slot 1 (A); first probe slot 3 -> C. (Slot 1 + 1 = 2 would be C too, but
  // 192.168.0.11's slot 5 + 1 = 6 is C while its first probe is slot 0 -> B.)
  EXPECT_EQ(pick(from(k192_168_0_1)), c_);
  EXPECT_EQ(pick(from(k192_168_0_11)), b_);
  // C quiesced too: 192.168.0.2 (slot 3, C) probes 1 (A, overloaded), then 0 -> B.
  ASSERT_TRUE(svc_->edit_destination(kC, {0, 1, 0}));
  EXPECT_EQ(pick(from(k192_168_0_2)), b_);
  // 192.168.0.4 (slot 2, C): first probe 0 -> B.
  EXPECT_EQ(pick(from(k192_168_0_4)), b_);
}

TEST_F(MaglevHashingTest, FallbackWithNothingUsableReturnsNull) {
  make({.fallback = true, .port = true});
  add_abc();
  for (const Endpoint& ep : {kA, kB, kC}) ASSERT_TRUE(svc_->edit_destination(ep, {0, 0, 0}));
  EXPECT_EQ(table(), "BACCBAC");  // all keep their slots
  EXPECT_EQ(pick(from(k192_168_0_1)), nullptr);
  EXPECT_EQ(pick(from(k192_168_0_9)), nullptr);
}

TEST_F(MaglevHashingTest, WithoutMhPortThePortIsIgnored) {
  add_abc();
  EXPECT_EQ(pick(from(k192_168_0_1, 5)), a_);  // slot 1 whatever the port
  EXPECT_EQ(pick(from(k192_168_0_1, 40000)), a_);
}

TEST_F(MaglevHashingTest, MhPortAddsTheSourcePortOfTcpUdpSctp) {
  make({.fallback = false, .port = true});
  add_abc();
  // 192.168.0.1 port 5 hashes as 192.168.0.6 port 0: slot 0 -> B.
  EXPECT_EQ(pick(from(k192_168_0_1, 5)), b_);
  EXPECT_EQ(pick(from(k192_168_0_1, 5, kProtoUdp)), b_);
  EXPECT_EQ(pick(from(k192_168_0_1, 5, 132)), b_);  // SCTP
  EXPECT_EQ(pick(from(k192_168_0_1, 5, 1)), a_);    // ICMP: port 0, slot 1
  EXPECT_EQ(pick(from(k192_168_0_1, 0)), a_);
  // 192.168.0.1 port 10 hashes as 192.168.0.11: slot 5 -> A; port 8 as 192.168.0.9: C.
  EXPECT_EQ(pick(from(k192_168_0_1, 10)), a_);
  EXPECT_EQ(pick(from(k192_168_0_1, 8)), c_);
}

TEST_F(MaglevHashingTest, DeleteMovesOnlyTheDeletedServersSlots) {
  add_abc();
  ASSERT_EQ(table(), "BACCBAC");
  ASSERT_TRUE(svc_->delete_destination(kB));  // list C, A
  //   round 1: C 3; A 1   round 2: C 6; A 5   round 3: C 2; A 5 -> 2 -> 6 -> 3 -> 0
  //   round 4: C 2 -> 5 -> 1 -> 4
  // B's slots 0 and 4 went to A and C; no other slot changed.
  EXPECT_EQ(table(), "AACCCAC");
  EXPECT_EQ(pick(from(k192_168_0_6)), a_);  // was B
  EXPECT_EQ(pick(from(k192_168_0_3)), c_);  // was B
  // Re-added, B is linked at the head: list B, C, A, and order matters.
  //   round 1: B 0; C 3; A 1   round 2: B 4; C 6; A 5   round 3: B 4 -> 1 -> 5 -> 2
  Destination* b = add(kB);
  EXPECT_EQ(table(), "BABCBAC");
  EXPECT_EQ(pick(from(k192_168_0_4)), b);  // slot 2: C before B left, B now
}

TEST_F(MaglevHashingTest, AddTakesSlotsOnlyForTheNewServer) {
  add_abc();
  Destination* d = add(kD);  // list D, C, B, A
  //   round 1: D 5; C 3; B 0; A 1   round 2: D 5 -> 0 -> 2; C 3 -> 6; B 0 -> 4 (full)
  // Against "BACCBAC": only slots 2 and 5 changed, both to D.
  EXPECT_EQ(table(), "BADCBDC");
  EXPECT_EQ(pick(from(k192_168_0_4)), d);
  EXPECT_EQ(pick(from(k192_168_0_11)), d);
}

TEST_F(MaglevHashingTest, AllLastWeightsZeroEmptiesTheTable) {
  add_abc(0, 0, 0);
  EXPECT_EQ(table(), "-------");
  make({.fallback = true, .port = false});
  add_abc(0, 0, 0);
  EXPECT_EQ(pick(from(k192_168_0_1)), nullptr);
  ASSERT_TRUE(svc_->edit_destination(kB, {1, 0, 0}));  // only B
  EXPECT_EQ(table(), "BBBBBBB");
  EXPECT_EQ(pick(from(k192_168_0_1)), b_);
}

TEST_F(MaglevHashingTest, SchedulerChangeBuildsTheSameTable) {
  // ipvsadm -E -s mh on a service that has its servers: ip_vs_mh_init_svc() builds once from
  // the list, the same table as built by the adds.
  SchedulerTest::make(std::make_unique<MaglevHashing>(SchedulerFlags{}, kSeven));
  add_abc(1, 2, 1);
  const std::string built = table();
  auto fresh = std::make_unique<MaglevHashing>(SchedulerFlags{}, kSeven);
  MaglevHashing* mh = fresh.get();
  svc_->set_scheduler(std::move(fresh), SchedulerFlags{});
  sched_ = mh;
  EXPECT_EQ(table(), built);
  EXPECT_EQ(built, "BABCBBC");
}

TEST_F(MaglevHashingTest, MoreServersThanSlotsKeepsTheOldTable) {
  // ip_vs_mh_reassign(): num_dests > M is refused (-EINVAL) and the old table stays.
  std::vector<Destination*> d;
  for (Ipv4 i = 0; i < 7; ++i) d.push_back(add({0x0a000001 + i, 80}));
  const std::string seven = table();
  for (char c : seven) EXPECT_NE(c, '-');
  Destination* eighth = add({0x0a000008, 80});
  EXPECT_EQ(table(), seven);  // the eighth server is in the list but in no slot
  EXPECT_EQ(eighth->refcnt, 0u);
  // Deleting one of the seven leaves 7 servers: allowed, rebuilt without it.
  ASSERT_TRUE(svc_->delete_destination({0x0a000001, 80}));
  EXPECT_EQ(table().find('A'), std::string::npos);
  EXPECT_NE(table().find('H'), std::string::npos);
  // With 9 in the list a delete is refused too: the deleted server stays in the table, held
  // (the kernel's table keeps its reference), so its flows still reach it.
  add({0x0a000001, 80});
  add({0x0a000009, 80});
  const std::string before = table();
  const Destination* victim = sched_->slot(before.find('B'));
  ASSERT_TRUE(svc_->delete_destination({0x0a000002, 80}));
  EXPECT_EQ(table(), before);
  EXPECT_GE(victim->refcnt, 1u);
  EXPECT_FALSE(victim->available);
}

// --- The kernel's loops, ported plainly, compared on random services -------------------------

// ip_vs_mh_gcd_weight(), ip_vs_mh_shift_weight(), ip_vs_mh_permutate() and
// ip_vs_mh_populate() as written there: the list walked with a "cursor" that wraps at the head.
std::vector<const Destination*> kernel_table(const std::vector<const Destination*>& list,
                                             const std::map<const Destination*, int>& last,
                                             Shape shape) {
  const int size = static_cast<int>(shape.size);
  std::vector<const Destination*> lookup(shape.size, nullptr);
  int g = 0;
  for (const Destination* d : list) {
    int w = last.at(d);
    if (w > 0) g = g > 0 ? std::gcd(w, g) : w;
  }
  if (g < 1) return lookup;
  int weight = 0;
  for (const Destination* d : list) weight = std::max(weight, last.at(d));
  int mw = weight / g, fls = 0;
  while (mw >> fls) ++fls;
  int shift = fls - static_cast<int>(shape.weight_bits);
  int rshift = shift >= 0 ? shift : 0;
  struct Setup {
    unsigned offset, skip, perm;
    int turns;
  };
  std::vector<Setup> ds;
  for (const Destination* d : list) {
    Setup s{};
    s.offset =
        MaglevHashing::hash_key(d->address.addr, d->address.port, MaglevHashing::kOffsetKey, 0) %
        static_cast<unsigned>(size);
    s.skip = MaglevHashing::hash_key(d->address.addr, d->address.port, MaglevHashing::kSkipKey, 0) %
                 static_cast<unsigned>(size - 1) +
             1;
    s.perm = s.offset;
    int lw = last.at(d);
    s.turns = ((lw / g) >> rshift) ? ((lw / g) >> rshift) : (lw != 0);
    ds.push_back(s);
  }
  std::vector<bool> table(shape.size, false);
  const std::size_t head = list.size();  // the list head: one past the last entry
  std::size_t p = head;
  int n = 0, dt_count = 0;
  while (n < size) {
    if (p == head) p = 0;
    std::size_t k = 0;
    while (p != head) {
      if (ds[k].turns < 1) {
        ++p;
        ++k;
        continue;
      }
      unsigned c = ds[k].perm;
      while (table[c]) {
        ds[k].perm += ds[k].skip;
        if (ds[k].perm >= static_cast<unsigned>(size)) ds[k].perm -= size;
        c = ds[k].perm;
      }
      table[c] = true;
      lookup[c] = list[p];
      if (++n == size) return lookup;
      if (++dt_count >= ds[k].turns) {
        dt_count = 0;
        ++p;
        ++k;
      }
    }
  }
  return lookup;
}

class MaglevHashingRandom : public ::testing::TestWithParam<int> {};

TEST_P(MaglevHashingRandom, MatchesTheKernelLoopsAfterEveryChange) {
  constexpr Shape kShape = Shape::for_tab_index(8);  // 251 slots, 4 weight bits
  std::mt19937 rng(static_cast<std::uint32_t>(GetParam()));
  auto owned = std::make_unique<MaglevHashing>(SchedulerFlags{}, kShape);
  const MaglevHashing* mh = owned.get();
  VirtualService svc({}, std::move(owned), {});
  std::map<const Destination*, int> last;  // the kernel's last_weight, kept by its rule
  std::vector<Endpoint> present;
  auto weight = [&] {
    // Mostly small weights, some 0, some large (so gcd > 1 and rshift > 0 both occur).
    switch (rng() % 4) {
      case 0:
        return static_cast<int>(rng() % 3);
      case 1:
        return static_cast<int>(4 * (1 + rng() % 8));
      case 2:
        return static_cast<int>(rng() % 2000);
      default:
        return static_cast<int>(1 + rng() % 10);
    }
  };
  for (int step = 0; step < 300; ++step) {
    const unsigned op = rng() % 10;
    if (op < 5 || present.empty()) {
      Endpoint ep{static_cast<Ipv4>(0x0a010000u + rng() % 64),
                  static_cast<std::uint16_t>(80 + rng() % 2)};
      if (svc.find(ep) != nullptr) continue;
      int w = weight();
      Destination* d = svc.add_destination(ep, {w, 0, 0});
      last[d] = w;
      present.push_back(ep);
    } else if (op < 8) {
      const Endpoint ep = present[rng() % present.size()];
      int w = weight();
      ASSERT_TRUE(svc.edit_destination(ep, {w, 0, 0}));
      if (w != 0) last[svc.find(ep)] = w;
    } else {
      const std::size_t i = rng() % present.size();
      last.erase(svc.find(present[i]));
      ASSERT_TRUE(svc.delete_destination(present[i]));
      present.erase(present.begin() + static_cast<std::ptrdiff_t>(i));
    }
    const DestinationList list = svc.destinations();
    const std::vector<const Destination*> expected =
        kernel_table({list.begin(), list.end()}, last, kShape);
    for (std::size_t s = 0; s < kShape.size; ++s) {
      ASSERT_EQ(mh->slot(s), expected[s]) << "step " << step << " slot " << s;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, MaglevHashingRandom, ::testing::Range(1, 9));

// --- Disruption: how many of 1M flows move when one of N servers goes or comes ---------------

struct Disruption {
  double removed_share;  // flows that were on the removed server
  double moved_on_remove;
  double added_share;  // flows that land on the added server
  double moved_on_add;
};

Disruption measure(Shape shape, std::uint32_t servers) {
  constexpr std::uint32_t kFlows = 1u << 20;
  VirtualService svc({}, std::make_unique<MaglevHashing>(SchedulerFlags{}, shape), {});
  for (std::uint32_t i = 0; i < servers; ++i) {
    svc.add_destination({0x0a010001u + i, 80}, {1, 0, 0});
  }
  // Deterministic clients: 2^20 source addresses spread over 11.0.0.0/8.
  auto client = [](std::uint32_t i) { return from(0x0b000000u + i * 13u, 0); };
  std::vector<const Destination*> before(kFlows);
  for (std::uint32_t i = 0; i < kFlows; ++i) before[i] = svc.schedule(client(i), 0);

  Disruption r{};
  const Endpoint removed{0x0a010001u + servers / 2, 80};
  const Destination* gone = svc.find(removed);
  std::uint32_t on_removed = 0, moved = 0;
  EXPECT_TRUE(svc.delete_destination(removed));
  for (std::uint32_t i = 0; i < kFlows; ++i) {
    const Destination* now = svc.schedule(client(i), 0);
    EXPECT_NE(now, nullptr);
    if (before[i] == gone) {
      ++on_removed;
      EXPECT_NE(now, gone);
    }
    if (now != before[i]) ++moved;
  }
  r.removed_share = static_cast<double>(on_removed) / kFlows;
  r.moved_on_remove = static_cast<double>(moved) / kFlows;

  // Put it back (at the list head now: where a re-added server goes), then add a new one.
  svc.add_destination(removed, {1, 0, 0});
  for (std::uint32_t i = 0; i < kFlows; ++i) before[i] = svc.schedule(client(i), 0);
  const Destination* added = svc.add_destination({0x0a020001u, 80}, {1, 0, 0});
  std::uint32_t on_added = 0;
  moved = 0;
  for (std::uint32_t i = 0; i < kFlows; ++i) {
    const Destination* now = svc.schedule(client(i), 0);
    if (now == added) ++on_added;
    if (now != before[i]) ++moved;
  }
  r.added_share = static_cast<double>(on_added) / kFlows;
  r.moved_on_add = static_cast<double>(moved) / kFlows;
  return r;
}

void report(const char* name, std::uint32_t servers, std::uint32_t slots, const Disruption& r) {
  std::cout << "mh disruption " << name << ": N=" << servers << " M=" << slots
            << " remove: removed server's share " << r.removed_share * 100 << "%, moved "
            << r.moved_on_remove * 100 << "%; add: new server's share " << r.added_share * 100
            << "%, moved " << r.moved_on_add * 100 << "%\n";
  ::testing::Test::RecordProperty(std::string(name) + "_removed_share_ppm",
                                  static_cast<int>(r.removed_share * 1e6));
  ::testing::Test::RecordProperty(std::string(name) + "_moved_on_remove_ppm",
                                  static_cast<int>(r.moved_on_remove * 1e6));
  ::testing::Test::RecordProperty(std::string(name) + "_added_share_ppm",
                                  static_cast<int>(r.added_share * 1e6));
  ::testing::Test::RecordProperty(std::string(name) + "_moved_on_add_ppm",
                                  static_cast<int>(r.moved_on_add * 1e6));
}

// Every flow of a removed server moves (that much is forced); Maglev then moves some more: the
// servers after it in each round claim other slots first, and the slots it leaves are shared
// out in a new order. Maglev gives no closed-form bound for that extra; it shrinks as the table
// grows per server. Measured here (deterministic: fixed keys, fixed clients), the extra fraction
// of all flows moved is 0.15..0.25 x sqrt(N / M) over N = 10, 100 and M = 4093, 65521
// (N=10: 1.3% and 0.26%; N=100: 3.2% and 0.6%). The bound allows 0.5 x sqrt(N / M), about twice
// that: a change to the hashes, the permutations or the fill order that broke consistency would
// move nearly all flows (1 - 1/N, as hash mod N does) and fail it. Likewise on add: the flows
// the new server takes, plus a few reshuffled between the old ones.
void check(const Disruption& r, std::uint32_t servers, std::uint32_t slots) {
  const double extra = 0.5 * std::sqrt(static_cast<double>(servers) / slots);
  const double share = 1.0 / servers;
  EXPECT_NEAR(r.removed_share, share, share * 0.25);
  EXPECT_GE(r.moved_on_remove, r.removed_share);
  EXPECT_LE(r.moved_on_remove - r.removed_share, extra);
  const double added = 1.0 / (servers + 1);
  EXPECT_NEAR(r.added_share, added, added * 0.25);
  EXPECT_GE(r.moved_on_add, r.added_share);
  EXPECT_LE(r.moved_on_add - r.added_share, extra);
}

// One of N servers removed, then one added, at the default table size and at 65521 slots.
void measure_and_check(std::uint32_t servers) {
  for (const Shape shape : {Shape::for_tab_index(12), Shape::for_tab_index(16)}) {
    const Disruption r = measure(shape, servers);
    report(("n" + std::to_string(servers) + "_m" + std::to_string(shape.size)).c_str(), servers,
           shape.size, r);
    check(r, servers, shape.size);
  }
}

TEST(MaglevHashingDisruption, OneOfTenServers) { measure_and_check(10); }

TEST(MaglevHashingDisruption, OneOfHundredServers) { measure_and_check(100); }

// last_weight belongs to the server (ip_vs_dest.last_weight), not to the scheduler: a server
// quiesced to 0 under another scheduler keeps the slots of its older weight when mh is bound
// later (ipvsadm -E -s mh), exactly as if it had been quiesced under mh.
TEST(MaglevHashingBind, ServerQuiescedBeforeTheSchedulerChangeKeepsItsSlots) {
  constexpr Shape kShape = Shape::for_tab_index(8);
  VirtualService svc({}, make_scheduler("wlc", {}), {});
  svc.add_destination(kA, {1, 0, 0});
  Destination* b = svc.add_destination(kB, {1, 0, 0});
  ASSERT_TRUE(svc.edit_destination(kB, {0, 0, 0}));
  EXPECT_EQ(b->weight, 0);
  EXPECT_EQ(b->last_weight, 1);

  auto bound = std::make_unique<MaglevHashing>(SchedulerFlags{}, kShape);
  const MaglevHashing* mh = bound.get();
  svc.set_scheduler(std::move(bound), {});
  // The same service built under mh from the start, quiesced the same way.
  auto reference_owned = std::make_unique<MaglevHashing>(SchedulerFlags{}, kShape);
  const MaglevHashing* reference = reference_owned.get();
  VirtualService ref({}, std::move(reference_owned), {});
  ref.add_destination(kA, {1, 0, 0});
  ref.add_destination(kB, {1, 0, 0});
  ASSERT_TRUE(ref.edit_destination(kB, {0, 0, 0}));

  std::size_t b_slots = 0;
  for (std::size_t i = 0; i < kShape.size; ++i) {
    ASSERT_NE(mh->slot(i), nullptr);
    ASSERT_EQ(mh->slot(i)->address, reference->slot(i)->address) << "slot " << i;
    if (mh->slot(i) == b) ++b_slots;
  }
  // Two servers of last_weight 1 share the 251 slots: B keeps about half of them.
  EXPECT_GT(b_slots, 100u);
  EXPECT_LT(b_slots, 151u);
}

}  // namespace
}  // namespace lvs
