#include "io/nft_rules.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <linux/netfilter_ipv4.h>
#include <netinet/in.h>
#include <netinet/ip.h>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "base/unique_nftnl.h"

namespace lvs::io {
namespace {

// Where ip_vs_in() is hooked (net/netfilter/ipvs/ip_vs_core.c: NF_INET_LOCAL_IN,
// NF_IP_PRI_NAT_SRC - 2); see nft_rules.h for why we sit at the same place.
constexpr std::int32_t kChainPriority = NF_IP_PRI_NAT_SRC - 2;

using BatchWriter = base::NftBatchWriter;

base::UniqueNftTable make_table(const std::string& name, bool owner = false) {
  base::UniqueNftTable t(nftnl_table_alloc());
  nftnl_table_set_u32(t.get(), NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
  nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, name.c_str());
  // Without the attribute, an "add" of an existing table changes nothing (nf_tables_updtable()
  // returns early), whatever its flags: so only the table we create carries it.
  if (owner) nftnl_table_set_u32(t.get(), NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER);
  return t;
}

base::UniqueNftChain make_base_chain(const std::string& table, const std::string& name) {
  base::UniqueNftChain c(nftnl_chain_alloc());
  nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_FAMILY, NFPROTO_IPV4);
  nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, table.c_str());
  nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, name.c_str());
  nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_IN);
  nftnl_chain_set_s32(c.get(), NFTNL_CHAIN_PRIO, kChainPriority);
  nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TYPE, "filter");
  nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
  return c;
}

void add_expr(nftnl_rule* rule, base::UniqueNftExpr expr) {
  nftnl_rule_add_expr(rule, expr.release());
}

void add_payload(nftnl_rule* rule, std::uint32_t base, std::uint32_t offset, std::uint32_t len) {
  base::UniqueNftExpr e(nftnl_expr_alloc("payload"));
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_BASE, base);
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_OFFSET, offset);
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_LEN, len);
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
  add_expr(rule, std::move(e));
}

void add_meta(nftnl_rule* rule, std::uint32_t key) {
  base::UniqueNftExpr e(nftnl_expr_alloc("meta"));
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_META_KEY, key);
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_META_DREG, NFT_REG_1);
  add_expr(rule, std::move(e));
}

void add_cmp_eq(nftnl_rule* rule, const void* data, std::uint32_t len) {
  base::UniqueNftExpr e(nftnl_expr_alloc("cmp"));
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CMP_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
  nftnl_expr_set(e.get(), NFTNL_EXPR_CMP_DATA, data, len);
  add_expr(rule, std::move(e));
}

// The match, as nft itself encodes `ip daddr VIP tcp dport PORT` and `meta mark MARK`.
void add_service_match(nftnl_rule* rule, const config::ServiceKey& key) {
  if (key.protocol == config::ServiceProtocol::Fwmark) {
    add_meta(rule, NFT_META_MARK);
    const std::uint32_t mark = key.fwmark;  // the mark register is host order
    add_cmp_eq(rule, &mark, sizeof mark);
    return;
  }
  add_payload(rule, NFT_PAYLOAD_NETWORK_HEADER, offsetof(iphdr, daddr), 4);
  const std::uint32_t daddr = htonl(key.vip.addr);
  add_cmp_eq(rule, &daddr, sizeof daddr);
  add_meta(rule, NFT_META_L4PROTO);
  const std::uint8_t proto =
      key.protocol == config::ServiceProtocol::Tcp ? IPPROTO_TCP : IPPROTO_UDP;
  add_cmp_eq(rule, &proto, sizeof proto);
  // Destination port: bytes 2..3 of both the TCP and the UDP header.
  add_payload(rule, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
  const std::uint16_t dport = htons(key.vip.port);
  add_cmp_eq(rule, &dport, sizeof dport);
}

void add_queue(nftnl_rule* rule, QueueEncoding encoding, const QueueTarget& queue) {
  if (encoding == QueueEncoding::NativeQueue) {
    base::UniqueNftExpr e(nftnl_expr_alloc("queue"));
    nftnl_expr_set_u16(e.get(), NFTNL_EXPR_QUEUE_NUM, queue.first);
    nftnl_expr_set_u16(e.get(), NFTNL_EXPR_QUEUE_TOTAL, queue.total);
    nftnl_expr_set_u16(e.get(), NFTNL_EXPR_QUEUE_FLAGS, queue.bypass ? NFT_QUEUE_FLAG_BYPASS : 0);
    add_expr(rule, std::move(e));
    return;
  }
  // As iptables-nft sends `-j NFQUEUE --queue-balance A:B [--queue-bypass]`: revision 3, the
  // info padded to XT_ALIGN like an xt_entry_target payload.
  std::array<std::uint8_t, XT_ALIGN(sizeof(xt_NFQ_info_v3))> info{};
  xt_NFQ_info_v3 v3{};
  v3.queuenum = queue.first;
  v3.queues_total = queue.total;
  v3.flags = queue.bypass ? NFQ_FLAG_BYPASS : 0;
  std::memcpy(info.data(), &v3, sizeof v3);
  base::UniqueNftExpr e(nftnl_expr_alloc("target"));
  nftnl_expr_set_str(e.get(), NFTNL_EXPR_TG_NAME, "NFQUEUE");
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_TG_REV, 3);
  // libnftnl's target expression takes ownership of the info pointer (it free()s it), unlike
  // every other attribute: hand it a malloc'd copy.
  void* owned = std::malloc(info.size());
  std::memcpy(owned, info.data(), info.size());
  nftnl_expr_set(e.get(), NFTNL_EXPR_TG_INFO, owned, info.size());
  add_expr(rule, std::move(e));
}

base::UniqueNftRule make_queue_rule(const std::string& table, const std::string& chain,
                                    const config::ServiceKey* key, QueueEncoding encoding,
                                    const QueueTarget& queue) {
  base::UniqueNftRule r(nftnl_rule_alloc());
  nftnl_rule_set_u32(r.get(), NFTNL_RULE_FAMILY, NFPROTO_IPV4);
  nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, table.c_str());
  nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, chain.c_str());
  if (key != nullptr) {
    add_service_match(r.get(), *key);
    add_expr(r.get(), base::UniqueNftExpr(nftnl_expr_alloc("counter")));
    // The service name as the rule's comment, so `nft list ruleset` says which rule is whose.
    base::UniqueNftUdataBuf udata(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
    nftnl_udata_put_strz(udata.get(), NFTNL_UDATA_RULE_COMMENT, key->to_string().c_str());
    nftnl_rule_set_data(r.get(), NFTNL_RULE_USERDATA, nftnl_udata_buf_data(udata.get()),
                        nftnl_udata_buf_len(udata.get()));
  }
  add_queue(r.get(), encoding, queue);
  return r;
}

std::string table_ref(const std::string& table) { return "ip " + table; }

void add_table(BatchWriter& w, const std::string& table, bool owner = false) {
  auto t = make_table(table, owner);
  w.command(NFT_MSG_NEWTABLE, NLM_F_CREATE,
            "add table " + table_ref(table) + (owner ? " { flags owner; }" : ""),
            [&](nlmsghdr* nlh) { nftnl_table_nlmsg_build_payload(nlh, t.get()); });
}

void delete_table(BatchWriter& w, const std::string& table) {
  auto t = make_table(table);
  w.command(NFT_MSG_DELTABLE, 0, "delete table " + table_ref(table),
            [&](nlmsghdr* nlh) { nftnl_table_nlmsg_build_payload(nlh, t.get()); });
}

void add_chain(BatchWriter& w, const std::string& table, const std::string& chain) {
  auto c = make_base_chain(table, chain);
  w.command(NFT_MSG_NEWCHAIN, NLM_F_CREATE,
            "add chain " + table_ref(table) + " " + chain + " (filter hook input)",
            [&](nlmsghdr* nlh) { nftnl_chain_nlmsg_build_payload(nlh, c.get()); });
}

void add_rule(BatchWriter& w, const std::string& table, const std::string& chain,
              const config::ServiceKey* key, QueueEncoding encoding, const QueueTarget& queue) {
  auto r = make_queue_rule(table, chain, key, encoding, queue);
  std::string what = "add rule";
  if (key != nullptr) what += " for " + key->to_string();
  what += " with the " + std::string(to_string(encoding)) + " in " + table_ref(table) + " " + chain;
  w.command(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, std::move(what),
            [&](nlmsghdr* nlh) { nftnl_rule_nlmsg_build_payload(nlh, r.get()); });
}

}  // namespace

std::string_view to_string(QueueEncoding encoding) {
  switch (encoding) {
    case QueueEncoding::NativeQueue:
      return "native nft queue expression";
    case QueueEncoding::XtNfqueue:
      return "xt NFQUEUE target via nft_compat";
  }
  return "?";
}

QueueTarget queue_target_for(const config::DirectorSettings& settings) {
  QueueTarget q;
  q.first = settings.queue_first;
  q.total = static_cast<std::uint16_t>(settings.queue_last - settings.queue_first + 1);
  q.bypass = false;  // fail-closed: see nft_rules.h
  return q;
}

base::NftBatch encode_install_batch(const config::DirectorConfig& config,
                                    const NftRulesetOptions& options, std::uint32_t first_seq) {
  BatchWriter w(NFPROTO_IPV4, first_seq);
  add_table(w, options.table);
  delete_table(w, options.table);
  add_table(w, options.table, options.owner);
  add_chain(w, options.table, options.chain);
  for (const auto& service : config.services) {
    add_rule(w, options.table, options.chain, &service.key, options.encoding, options.queue);
  }
  return std::move(w).finish();
}

base::NftBatch encode_remove_batch(const NftRulesetOptions& options, std::uint32_t first_seq) {
  BatchWriter w(NFPROTO_IPV4, first_seq);
  add_table(w, options.table);
  delete_table(w, options.table);
  return std::move(w).finish();
}

base::NftBatch encode_probe_batch(QueueEncoding encoding, const std::string& probe_table,
                                  std::uint32_t first_seq) {
  BatchWriter w(NFPROTO_IPV4, first_seq);
  const std::string chain = "probe";
  add_table(w, probe_table);
  add_chain(w, probe_table, chain);
  add_rule(w, probe_table, chain, nullptr, encoding, QueueTarget{});
  delete_table(w, probe_table);
  return std::move(w).finish();
}

}  // namespace lvs::io
