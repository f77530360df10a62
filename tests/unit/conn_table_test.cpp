// ConnectionTable: keys, handles, counter changes through VirtualService, overload flag, the
// lcnc view, growth and the 64-bytes-per-connection budget at one million connections.
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <vector>

#include "conn/connection_table.h"

namespace lvs {
namespace {

constexpr Ipv4 kVip = 0x0ac80064;  // 10.200.0.100

ConnKey tcp_key(Ipv4 client, std::uint16_t port) { return {kProtoTcp, client, port, kVip, 80}; }

TEST(ConnTable, FindsByFullKeyAndSeparatesTemplates) {
  Destination d;
  ConnectionTable t;
  const ConnHandle c = t.insert_connection(tcp_key(0x0ac8000a, 40000), d, ConnState::None, {}, 0);
  EXPECT_EQ(t.find(tcp_key(0x0ac8000a, 40000)), c);
  EXPECT_FALSE(t.find(tcp_key(0x0ac8000a, 40001)).valid());
  EXPECT_FALSE(t.find({kProtoUdp, 0x0ac8000a, 40000, kVip, 80}).valid());
  EXPECT_FALSE(t.find({kProtoTcp, 0x0ac8000a, 40000, kVip, 81}).valid());
  EXPECT_FALSE(t.find_template(tcp_key(0x0ac8000a, 40000)).valid());

  const ConnKey tkey{kProtoTcp, 0x0ac8000a, 0, kVip, 80};
  EXPECT_FALSE(t.find(tkey).valid());
  const ConnHandle tpl = t.insert_template(tkey, d, 300, 0);
  EXPECT_EQ(t.find_template(tkey), tpl);
  EXPECT_FALSE(t.find(tkey).valid());  // __ip_vs_conn_in_get() never returns templates
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.templates(), 1u);
  EXPECT_EQ(d.persistconns, 1u);
  EXPECT_EQ(d.inactconns, 1u);
}

TEST(ConnTable, NewConnectionStartsInactiveAndMovesWithState) {
  Destination d;
  ConnectionTable t;
  const ConnHandle c = t.insert_connection(tcp_key(1, 1), d, ConnState::None, {}, 0);
  EXPECT_EQ(d.inactconns, 1u);
  EXPECT_EQ(d.activeconns, 0u);
  EXPECT_EQ(d.refcnt, 1u);
  EXPECT_EQ(d.stats.conns, 1u);
  EXPECT_FALSE(t.is_active(c));
  t.set_state(c, ConnState::SynRecv);  // pre-established states count as active (mainline)
  EXPECT_EQ(d.activeconns, 1u);
  EXPECT_EQ(d.inactconns, 0u);
  t.set_state(c, ConnState::Established);  // active -> active: no change
  EXPECT_EQ(d.activeconns, 1u);
  t.set_state(c, ConnState::FinWait);
  EXPECT_EQ(d.activeconns, 0u);
  EXPECT_EQ(d.inactconns, 1u);
  EXPECT_TRUE(t.expire_now(c, 5));
  EXPECT_EQ(d.inactconns, 0u);
  EXPECT_EQ(d.refcnt, 0u);
  EXPECT_EQ(t.size(), 0u);
}

TEST(ConnTable, UdpConnectionIsNeverActive) {
  Destination d;
  ConnectionTable t;
  const ConnHandle c = t.insert_connection({kProtoUdp, 1, 53, kVip, 53}, d, ConnState::Udp, {}, 0);
  t.set_state(c, ConnState::Established);  // not a UDP state, but must not count active
  EXPECT_EQ(d.activeconns, 0u);
  EXPECT_EQ(d.inactconns, 1u);
}

TEST(ConnTable, OverloadFlagFollowsBindAndUnbind) {
  Destination d;
  d.u_threshold = 2;  // l_threshold 0: cleared below 3/4 of 2, i.e. at total 1 (4 < 6)
  ConnectionTable t;
  const ConnHandle a = t.insert_connection(tcp_key(1, 1), d, ConnState::None, {}, 0);
  EXPECT_FALSE(d.overloaded);
  const ConnHandle b = t.insert_connection(tcp_key(1, 2), d, ConnState::None, {}, 0);
  EXPECT_TRUE(d.overloaded);  // total 2 >= 2
  t.expire_now(a, 1);
  EXPECT_FALSE(d.overloaded);  // total 1: 4 < 6
  (void)b;

  Destination e;
  e.u_threshold = 4;
  e.l_threshold = 2;
  std::vector<ConnHandle> hs;
  for (std::uint16_t p = 0; p < 4; ++p) {
    hs.push_back(t.insert_connection(tcp_key(2, p), e, ConnState::None, {}, 0));
  }
  EXPECT_TRUE(e.overloaded);
  t.expire_now(hs[0], 1);
  EXPECT_TRUE(e.overloaded);  // total 3, not < 2
  t.expire_now(hs[1], 1);
  EXPECT_TRUE(e.overloaded);  // total 2, not < 2
  t.expire_now(hs[2], 1);
  EXPECT_FALSE(e.overloaded);  // total 1 < 2
}

TEST(ConnTable, StaleHandleIsRecognised) {
  Destination d;
  ConnectionTable t;
  const ConnHandle a = t.insert_connection(tcp_key(1, 1), d, ConnState::None, {}, 0);
  t.expire_now(a, 0);
  const ConnHandle b = t.insert_connection(tcp_key(1, 2), d, ConnState::None, {}, 0);
  EXPECT_EQ(a.index, b.index);  // the record was recycled
  EXPECT_FALSE(t.alive(a));
  EXPECT_FALSE(t.expire_now(a, 0));
  EXPECT_TRUE(t.alive(b));
  EXPECT_EQ(d.inactconns, 1u);
}

TEST(ConnTable, ExpiresAtDeadlineAndUnbinds) {
  Destination d;
  ConnectionTable t(0, 0);
  const ConnHandle c = t.insert_connection(tcp_key(1, 1), d, ConnState::None, {}, 0);
  EXPECT_EQ(t.expires_ms(c), 3000u);  // ip_vs_conn_new(): 3 s until the first transition
  t.rearm(c, 50'000);
  t.expire(49'999);
  EXPECT_TRUE(t.alive(c));
  t.expire(50'000);
  EXPECT_FALSE(t.alive(c));
  EXPECT_EQ(d.inactconns, 0u);
}

TEST(ConnTable, ViewListsWhatLncNeeds) {
  Destination d;
  d.address = {0x0ac8000b, 80};
  ConnectionTable t;
  const ConnHandle c = t.insert_connection(tcp_key(0x0ac8000a, 40000), d, ConnState::None, {}, 0);
  t.set_state(c, ConnState::Established);
  t.rearm(c, 900'000);
  t.set_kernel_forwarded(c, true);
  t.insert_template({kProtoTcp, 0x0ac8000a, 0, kVip, 80}, d, 300, 0);
  int seen = 0;
  t.for_each(100'000, [&](const ConnectionView& v) {
    ++seen;
    EXPECT_EQ(v.destination, &d);
    if (v.is_template) {
      EXPECT_EQ(v.key.cport, 0);
      EXPECT_EQ(v.state, ConnState::None);
      EXPECT_EQ(v.remaining_ms, 200'000u);
      EXPECT_FALSE(v.kernel_forwarded);
    } else {
      EXPECT_EQ(v.key, tcp_key(0x0ac8000a, 40000));
      EXPECT_EQ(conn_state_name(v.state), "ESTABLISHED");
      EXPECT_EQ(v.remaining_ms, 800'000u);
      EXPECT_TRUE(v.kernel_forwarded);
    }
  });
  EXPECT_EQ(seen, 2);
  t.set_kernel_forwarded(c, false);
  EXPECT_FALSE(t.kernel_forwarded(c));
}

TEST(ConnTable, GrowsBucketsAndKeepsEveryEntry) {
  Destination d;
  ConnectionTable t(0);
  const std::size_t initial = t.bucket_count();
  for (std::uint32_t i = 0; i < 20'000; ++i) {
    t.insert_connection(tcp_key(i, static_cast<std::uint16_t>(i)), d, ConnState::None, {}, 0);
  }
  EXPECT_GT(t.bucket_count(), initial);
  EXPECT_GE(t.bucket_count(), t.size());
  for (std::uint32_t i = 0; i < 20'000; ++i) {
    ASSERT_TRUE(t.find(tcp_key(i, static_cast<std::uint16_t>(i))).valid()) << i;
  }
}

// find_batch() must answer exactly what find() answers for each key, whatever the batch size.
std::vector<ConnHandle> find_each(const ConnectionTable& t, const std::vector<ConnKey>& keys) {
  std::vector<ConnHandle> out;
  for (const ConnKey& k : keys) out.push_back(t.find(k));
  return out;
}

std::vector<ConnHandle> find_batched(const ConnectionTable& t, const std::vector<ConnKey>& keys) {
  std::vector<ConnHandle> out(keys.size(), ConnHandle{12345, 7});  // overwritten, hit or miss
  t.find_batch(keys, out);
  return out;
}

TEST(ConnTable, FindBatchAgreesWithFind) {
  Destination d;
  // Exactly 1024 records in the minimum 1024 buckets (load factor 1, no growth): chain lengths
  // follow Poisson(1), so about 80 chains hold 3 or more records and hits sit past the first and
  // second chain entries too.
  ConnectionTable t;
  std::vector<ConnHandle> conns;
  std::vector<ConnKey> keys;
  for (std::uint32_t i = 0; i < 600; ++i) {
    const ConnKey k = tcp_key(0x0a000000u + i, static_cast<std::uint16_t>(1024 + i));
    keys.push_back(k);
    conns.push_back(t.insert_connection(k, d, ConnState::None, {}, 0));
  }
  // Templates with the same keys as connections (and their own): find() must skip them.
  std::vector<ConnHandle> templates;
  for (std::uint32_t i = 0; i < 600; i += 4) {
    templates.push_back(t.insert_template(keys[i], d, 300, 0));
    const ConnKey tkey{kProtoTcp, 0x0a000000u + i, 0, kVip, 80};
    templates.push_back(t.insert_template(tkey, d, 300, 0));
    keys.push_back(tkey);
  }
  // Removed connections (their records recycled into new ones) and an invalidated template.
  for (std::uint32_t i = 1; i < 600; i += 7) ASSERT_TRUE(t.expire_now(conns[i], 0));
  for (std::uint32_t i = 0; i < 210; ++i) {
    const ConnKey k = tcp_key(0x0b000000u + i, 443);
    keys.push_back(k);
    t.insert_connection(k, d, ConnState::None, {}, 0);
  }
  t.invalidate_template(templates[0]);
  // Misses: other ports, other protocol, other VIP.
  for (std::uint32_t i = 0; i < 200; ++i) {
    keys.push_back(tcp_key(0x0a000000u + i, 1));
    keys.push_back({kProtoUdp, 0x0a000000u + i, static_cast<std::uint16_t>(1024 + i), kVip, 80});
    keys.push_back(
        {kProtoTcp, 0x0a000000u + i, static_cast<std::uint16_t>(1024 + i), kVip + 1, 80});
  }
  ASSERT_EQ(t.bucket_count(), 1024u);
  ASSERT_EQ(t.size(), 1024u);

  const std::vector<ConnHandle> expected = find_each(t, keys);
  std::size_t hits = 0;
  std::size_t misses = 0;
  for (const ConnHandle& h : expected) (h.valid() ? hits : misses)++;
  EXPECT_GT(hits, 650u);
  EXPECT_GT(misses, 700u);  // removed connections, templates' keys and the absent keys

  // The whole set at once, then every batch size from 1 to 70 (partial groups, group edges).
  EXPECT_EQ(find_batched(t, keys), expected);
  for (std::size_t size = 1; size <= 70; ++size) {
    for (std::size_t base = 0; base < keys.size(); base += size) {
      const std::size_t m = std::min(size, keys.size() - base);
      std::vector<ConnHandle> out(m);
      t.find_batch(std::span(keys).subspan(base, m), out);
      for (std::size_t j = 0; j < m; ++j) {
        ASSERT_EQ(out[j], expected[base + j]) << "batch " << size << " key " << base + j;
      }
    }
  }
}

TEST(ConnTable, FindBatchHandlesEmptyBatchesAndEmptyTables) {
  Destination d;
  ConnectionTable t;
  std::vector<ConnHandle> none;
  t.find_batch({}, none);  // nothing to do, nothing touched
  const std::vector<ConnKey> keys{tcp_key(1, 1), tcp_key(2, 2)};
  EXPECT_EQ(find_batched(t, keys), (std::vector<ConnHandle>{{}, {}}));
  const ConnHandle c = t.insert_connection(tcp_key(2, 2), d, ConnState::None, {}, 0);
  EXPECT_EQ(find_batched(t, keys), (std::vector<ConnHandle>{{}, c}));
  t.expire_now(c, 0);
  EXPECT_EQ(find_batched(t, keys), (std::vector<ConnHandle>{{}, {}}));
}

TEST(ConnTable, FlushUnbindsEverything) {
  Destination d;
  ConnectionTable t;
  const ConnHandle tpl = t.insert_template({kProtoTcp, 1, 0, kVip, 80}, d, 300, 0);
  t.insert_connection(tcp_key(1, 1), d, ConnState::None, tpl, 0);
  EXPECT_EQ(t.n_control(tpl), 1u);
  t.flush();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(d.persistconns + d.inactconns + d.activeconns + d.refcnt, 0u);
}

TEST(ConnTable, AtMostSixtyFourBytesPerConnectionAtOneMillion) {
  constexpr std::uint32_t kConns = 1'000'000;
  Destination d;
  ConnectionTable t;  // no size hint: the budget holds with growth too
  for (std::uint32_t i = 0; i < kConns; ++i) {
    t.insert_connection(
        {kProtoTcp, 0x0a000000u + (i >> 4), static_cast<std::uint16_t>(i), kVip, 80}, d,
        ConnState::None, {}, 0);
  }
  ASSERT_EQ(t.size(), kConns);
  const double per_conn = static_cast<double>(t.memory_bytes()) / kConns;
  RecordProperty("bytes_per_connection", std::to_string(per_conn));
  EXPECT_LE(per_conn, 64.0);
  EXPECT_TRUE(t.find({kProtoTcp, 0x0a000000u + (777'777u >> 4),
                      static_cast<std::uint16_t>(777'777u), kVip, 80})
                  .valid());
  EXPECT_EQ(d.inactconns, kConns);
}

}  // namespace
}  // namespace lvs
