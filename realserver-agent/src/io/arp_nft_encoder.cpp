#include "io/arp_nft_encoder.h"

#include <arpa/inet.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_arp.h>

#include <array>
#include <cstring>
#include <memory>

#include "base/unique_nftnl.h"
#include "core/arp_table_check.h"

namespace lvs::agent {
namespace {

using base::CFree;
using BatchWriter = base::NftBatchWriter;
using base::NftBatch;
using base::UniqueNftChain;
using base::UniqueNftExpr;
using base::UniqueNftRule;
using base::UniqueNftTable;
using base::UniqueNftUdataBuf;
using UniqueNftSet = std::unique_ptr<nftnl_set, CFree<nftnl_set_free>>;

// nft's datatype id for ipv4_addr (TYPE_IPADDR in nftables' datatype.h): `nft list` shows the
// set's elements as addresses.
constexpr std::uint32_t kIpv4AddrType = 7;
constexpr std::uint32_t kSetId = 1;

// Ethernet/IPv4 ARP: after htype (2 bytes) come ptype 0x0800, hlen 6, plen 4 — checked before
// the address fields are read, because their offsets only hold for these lengths.
constexpr std::uint32_t kPtypeOffset = 2;
constexpr std::array<std::uint8_t, 4> kPtypeHlenPlen{0x08, 0x00, 6, 4};
constexpr std::uint32_t kOperationOffset = 6;
constexpr std::array<std::uint8_t, 2> kOperationRequest{0, 1};
constexpr std::uint32_t kSenderIpOffset = 14;  // after sha (6)
constexpr std::uint32_t kTargetIpOffset = 24;  // after spa (4) and tha (6)

UniqueNftUdataBuf comment_udata(std::uint8_t type, const std::string& text) {
  UniqueNftUdataBuf buf(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
  nftnl_udata_put_strz(buf.get(), type, text.c_str());
  return buf;
}

UniqueNftTable make_table(const std::string& name, const std::string* comment) {
  UniqueNftTable t(nftnl_table_alloc());
  nftnl_table_set_u32(t.get(), NFTNL_TABLE_FAMILY, NFPROTO_ARP);
  nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, name.c_str());
  if (comment != nullptr) {
    auto ud = comment_udata(NFTNL_UDATA_TABLE_COMMENT, *comment);
    nftnl_table_set_data(t.get(), NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud.get()),
                         nftnl_udata_buf_len(ud.get()));
  }
  return t;
}

UniqueNftSet make_set(const DesiredState& d, bool with_elements) {
  UniqueNftSet s(nftnl_set_alloc());
  nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, d.nft.table.c_str());
  nftnl_set_set_str(s.get(), NFTNL_SET_NAME, d.nft.set.c_str());
  nftnl_set_set_u32(s.get(), NFTNL_SET_FAMILY, NFPROTO_ARP);
  nftnl_set_set_u32(s.get(), NFTNL_SET_ID, kSetId);
  if (!with_elements) {
    nftnl_set_set_u32(s.get(), NFTNL_SET_FLAGS, 0);
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_TYPE, kIpv4AddrType);
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_LEN, sizeof(std::uint32_t));
    return s;
  }
  for (Ipv4 vip : d.vips) {
    nftnl_set_elem* e = nftnl_set_elem_alloc();
    const std::uint32_t be = htonl(vip);
    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &be, sizeof be);
    nftnl_set_elem_add(s.get(), e);  // the set owns it from here
  }
  return s;
}

UniqueNftChain make_chain(const DesiredState& d, const std::string& name, std::uint32_t hook) {
  UniqueNftChain c(nftnl_chain_alloc());
  nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_FAMILY, NFPROTO_ARP);
  nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, d.nft.table.c_str());
  nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, name.c_str());
  nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TYPE, "filter");
  nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_HOOKNUM, hook);
  nftnl_chain_set_s32(c.get(), NFTNL_CHAIN_PRIO, 0);
  nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
  return c;
}

void add_expr(nftnl_rule* r, UniqueNftExpr e) { nftnl_rule_add_expr(r, e.release()); }

void add_payload(nftnl_rule* r, std::uint32_t offset, std::uint32_t len) {
  UniqueNftExpr e(nftnl_expr_alloc("payload"));
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_OFFSET, offset);
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_LEN, len);
  add_expr(r, std::move(e));
}

void add_cmp_eq(nftnl_rule* r, const void* data, std::uint32_t len) {
  UniqueNftExpr e(nftnl_expr_alloc("cmp"));
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CMP_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
  nftnl_expr_set(e.get(), NFTNL_EXPR_CMP_DATA, data, len);
  add_expr(r, std::move(e));
}

void add_counter_drop(nftnl_rule* r) {
  add_expr(r, UniqueNftExpr(nftnl_expr_alloc("counter")));
  UniqueNftExpr v(nftnl_expr_alloc("immediate"));
  nftnl_expr_set_u32(v.get(), NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
  nftnl_expr_set_u32(v.get(), NFTNL_EXPR_IMM_VERDICT, NF_DROP);
  add_expr(r, std::move(v));
}

UniqueNftRule make_rule(const DesiredState& d, const std::string& chain,
                        const std::string& comment) {
  UniqueNftRule r(nftnl_rule_alloc());
  nftnl_rule_set_u32(r.get(), NFTNL_RULE_FAMILY, NFPROTO_ARP);
  nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, d.nft.table.c_str());
  nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, chain.c_str());
  auto ud = comment_udata(NFTNL_UDATA_RULE_COMMENT, comment);
  nftnl_rule_set_data(r.get(), NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud.get()),
                      nftnl_udata_buf_len(ud.get()));
  add_payload(r.get(), kPtypeOffset, kPtypeHlenPlen.size());
  add_cmp_eq(r.get(), kPtypeHlenPlen.data(), kPtypeHlenPlen.size());
  return r;
}

UniqueNftRule make_vip_rule(const DesiredState& d, Ipv4 vip) {
  auto r = make_rule(d, d.nft.input_chain, vip_rule_comment(vip));
  add_payload(r.get(), kOperationOffset, kOperationRequest.size());
  add_cmp_eq(r.get(), kOperationRequest.data(), kOperationRequest.size());
  add_payload(r.get(), kTargetIpOffset, 4);
  const std::uint32_t be = htonl(vip);
  add_cmp_eq(r.get(), &be, sizeof be);
  add_counter_drop(r.get());
  return r;
}

UniqueNftRule make_sender_rule(const DesiredState& d) {
  auto r = make_rule(d, d.nft.output_chain, sender_rule_comment());
  add_payload(r.get(), kSenderIpOffset, 4);
  UniqueNftExpr l(nftnl_expr_alloc("lookup"));
  nftnl_expr_set_u32(l.get(), NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
  nftnl_expr_set_str(l.get(), NFTNL_EXPR_LOOKUP_SET, d.nft.set.c_str());
  nftnl_expr_set_u32(l.get(), NFTNL_EXPR_LOOKUP_SET_ID, kSetId);
  add_expr(r.get(), std::move(l));
  add_counter_drop(r.get());
  return r;
}

std::string ref(const DesiredState& d) { return "arp " + d.nft.table; }

void add_then_delete_table(BatchWriter& w, const std::string& table, const std::string& what) {
  w.command(NFT_MSG_NEWTABLE, NLM_F_CREATE, "add table arp " + table + " (" + what + ")",
            [&](nlmsghdr* nlh) {
              nftnl_table_nlmsg_build_payload(nlh, make_table(table, nullptr).get());
            });
  w.command(NFT_MSG_DELTABLE, 0, "delete table arp " + table, [&](nlmsghdr* nlh) {
    nftnl_table_nlmsg_build_payload(nlh, make_table(table, nullptr).get());
  });
}

}  // namespace

std::size_t arp_table_install_messages(const DesiredState& d) {
  // begin, add+delete+add table, set, elements, 2 chains, rules, end.
  return 1 + 3 + 2 + 2 + d.vips.size() + 1 + 1;
}

NftBatch encode_arp_table_install(const DesiredState& d, const std::string& comment,
                                  std::uint32_t first_seq) {
  BatchWriter w(NFPROTO_ARP, first_seq);
  add_then_delete_table(w, d.nft.table, "replacing it");
  w.command(NFT_MSG_NEWTABLE, NLM_F_CREATE, "add table " + ref(d), [&](nlmsghdr* nlh) {
    nftnl_table_nlmsg_build_payload(nlh, make_table(d.nft.table, &comment).get());
  });
  w.command(NFT_MSG_NEWSET, NLM_F_CREATE, "add set " + ref(d) + " " + d.nft.set,
            [&](nlmsghdr* nlh) { nftnl_set_nlmsg_build_payload(nlh, make_set(d, false).get()); });
  w.command(
      NFT_MSG_NEWSETELEM, NLM_F_CREATE, "add the VIPs to set " + ref(d) + " " + d.nft.set,
      [&](nlmsghdr* nlh) { nftnl_set_elems_nlmsg_build_payload(nlh, make_set(d, true).get()); });
  w.command(NFT_MSG_NEWCHAIN, NLM_F_CREATE, "add chain " + ref(d) + " " + d.nft.input_chain,
            [&](nlmsghdr* nlh) {
              nftnl_chain_nlmsg_build_payload(nlh,
                                              make_chain(d, d.nft.input_chain, NF_ARP_IN).get());
            });
  w.command(NFT_MSG_NEWCHAIN, NLM_F_CREATE, "add chain " + ref(d) + " " + d.nft.output_chain,
            [&](nlmsghdr* nlh) {
              nftnl_chain_nlmsg_build_payload(nlh,
                                              make_chain(d, d.nft.output_chain, NF_ARP_OUT).get());
            });
  for (Ipv4 vip : d.vips) {
    w.command(
        NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
        "add rule dropping ARP requests for " + format_ipv4(vip) + " in " + ref(d),
        [&](nlmsghdr* nlh) { nftnl_rule_nlmsg_build_payload(nlh, make_vip_rule(d, vip).get()); });
  }
  w.command(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
            "add rule dropping ARP sent from a VIP in " + ref(d),
            [&](nlmsghdr* nlh) { nftnl_rule_nlmsg_build_payload(nlh, make_sender_rule(d).get()); });
  return std::move(w).finish();
}

NftBatch encode_arp_table_remove(const ArpTableNames& names, std::uint32_t first_seq) {
  BatchWriter w(NFPROTO_ARP, first_seq);
  add_then_delete_table(w, names.table, "so that deleting it cannot fail");
  return std::move(w).finish();
}

}  // namespace lvs::agent
