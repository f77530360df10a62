#include "io/arp_nft_table.h"

#include <arpa/inet.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

#include "io/arp_nft_encoder.h"

namespace lvs::agent {
namespace {

using UniqueNftSet = std::unique_ptr<nftnl_set, base::CFree<nftnl_set_free>>;
constexpr int kReplyTimeoutMs = 5000;

// The string of the first TLV of `type` in a userdata blob ("" if none).
std::string udata_string(const void* data, std::uint32_t len, std::uint8_t type) {
  struct Wanted {
    std::uint8_t type;
    std::string value;
  } wanted{type, {}};
  nftnl_udata_parse(
      data, len,
      [](const nftnl_udata* attr, void* cb) -> int {
        auto* w = static_cast<Wanted*>(cb);
        if (nftnl_udata_type(attr) == w->type && w->value.empty()) {
          const char* s = static_cast<const char*>(nftnl_udata_get(attr));
          w->value.assign(s, strnlen(s, nftnl_udata_len(attr)));
        }
        return 0;
      },
      &wanted);
  return wanted.value;
}

std::string nft_error(const std::string& what, int err) {
  std::string m = "nftables: " + what + ": " + std::strerror(err);
  if (err == EPERM || err == EACCES) {
    m += " (needs CAP_NET_ADMIN: run the agent as root or grant it the capability)";
  }
  return m;
}

}  // namespace

bool parse_table_message(const nlmsghdr* nlh, ArpTableReading& into) {
  base::UniqueNftTable t(nftnl_table_alloc());
  if (nftnl_table_nlmsg_parse(nlh, t.get()) < 0) return false;
  into.table_present = true;
  std::uint32_t len = 0;
  if (nftnl_table_is_set(t.get(), NFTNL_TABLE_USERDATA)) {
    const void* ud = nftnl_table_get_data(t.get(), NFTNL_TABLE_USERDATA, &len);
    into.table_comment = udata_string(ud, len, NFTNL_UDATA_TABLE_COMMENT);
  }
  return true;
}

bool parse_chain_message(const nlmsghdr* nlh, ArpTableReading& into) {
  base::UniqueNftChain c(nftnl_chain_alloc());
  if (nftnl_chain_nlmsg_parse(nlh, c.get()) < 0) return false;
  ArpChainReading chain;
  chain.name = nftnl_chain_get_str(c.get(), NFTNL_CHAIN_NAME);
  if (nftnl_chain_is_set(c.get(), NFTNL_CHAIN_HOOKNUM)) {
    chain.hooknum = nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_HOOKNUM);
  }
  if (nftnl_chain_is_set(c.get(), NFTNL_CHAIN_POLICY)) {
    chain.policy = nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_POLICY);
  }
  into.chains.push_back(std::move(chain));
  return true;
}

bool parse_rule_message(const nlmsghdr* nlh, ArpTableReading& into) {
  base::UniqueNftRule r(nftnl_rule_alloc());
  if (nftnl_rule_nlmsg_parse(nlh, r.get()) < 0) return false;
  ArpRuleReading rule;
  rule.chain = nftnl_rule_get_str(r.get(), NFTNL_RULE_CHAIN);
  if (nftnl_rule_is_set(r.get(), NFTNL_RULE_USERDATA)) {
    std::uint32_t len = 0;
    const void* ud = nftnl_rule_get_data(r.get(), NFTNL_RULE_USERDATA, &len);
    rule.comment = udata_string(ud, len, NFTNL_UDATA_RULE_COMMENT);
  }
  nftnl_expr_foreach(
      r.get(),
      [](nftnl_expr* e, void* cb) -> int {
        auto* out = static_cast<ArpRuleReading*>(cb);
        const char* name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
        out->expressions.emplace_back(name != nullptr ? name : "?");
        if (name != nullptr && std::strcmp(name, "counter") == 0) {
          out->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
        }
        return 0;
      },
      &rule);
  into.rules.push_back(std::move(rule));
  return true;
}

bool parse_set_elements_message(const nlmsghdr* nlh, ArpTableReading& into) {
  // Walked by hand rather than with nftnl_set_elems_nlmsg_parse(): libnftnl numbers the element
  // nests it builds 1, 2, 3... (the kernel ignores the nest type) but its parser accepts only
  // type 1, so it could not read back a batch of ours with two VIPs.
  const auto* payload =
      static_cast<const char*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(nfgenmsg)));
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  if (payload > tail) return false;
  auto walk = [](const char* from, const char* to, auto&& f) {
    auto* attr = reinterpret_cast<const nlattr*>(from);
    while (mnl_attr_ok(attr, static_cast<int>(to - reinterpret_cast<const char*>(attr)))) {
      f(attr);
      attr = mnl_attr_next(attr);
    }
  };
  auto nested = [&](const nlattr* a, auto&& f) {
    const char* p = static_cast<const char*>(mnl_attr_get_payload(a));
    walk(p, p + mnl_attr_get_payload_len(a), f);
  };
  bool named = false;
  walk(payload, tail, [&](const nlattr* a) {
    const auto type = mnl_attr_get_type(a);
    if (type == NFTA_SET_ELEM_LIST_SET) named = true;
    if (type != NFTA_SET_ELEM_LIST_ELEMENTS) return;
    nested(a, [&](const nlattr* element) {
      nested(element, [&](const nlattr* field) {
        if (mnl_attr_get_type(field) != NFTA_SET_ELEM_KEY) return;
        nested(field, [&](const nlattr* data) {
          if (mnl_attr_get_type(data) == NFTA_DATA_VALUE &&
              mnl_attr_get_payload_len(data) == sizeof(std::uint32_t)) {
            std::uint32_t be = 0;
            std::memcpy(&be, mnl_attr_get_payload(data), sizeof be);
            into.set_elements.push_back(ntohl(be));
          }
        });
      });
    });
  });
  if (named) into.set_present = true;
  return named;
}

std::variant<ArpNftTable, std::string> ArpNftTable::open() {
  auto batches = base::NftSocket::open();
  if (auto* e = std::get_if<base::NftError>(&batches)) return e->message;
  base::UniqueMnlSocket dumps(mnl_socket_open(NETLINK_NETFILTER));
  if (!dumps || mnl_socket_bind(dumps.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return nft_error("opening a NETLINK_NETFILTER socket", errno);
  }
  ArpNftTable t(std::move(std::get<base::NftSocket>(batches)), std::move(dumps));
  t.dump_seq_ = static_cast<std::uint32_t>(std::time(nullptr));
  return t;
}

std::optional<std::string> ArpNftTable::install(const DesiredState& desired,
                                                const std::string& comment) {
  const auto n = arp_table_install_messages(desired);
  auto batch = encode_arp_table_install(desired, comment, batches_.reserve_seq(n));
  if (auto e = batches_.run(batch)) return e->message;
  return std::nullopt;
}

std::optional<std::string> ArpNftTable::remove(const ArpTableNames& names) {
  auto batch = encode_arp_table_remove(names, batches_.reserve_seq(kArpTableRemoveMessages));
  if (auto e = batches_.run(batch)) return e->message;
  return std::nullopt;
}

std::variant<ArpTableReading, std::string> ArpNftTable::read(const ArpTableNames& names) {
  ArpTableReading reading;
  alignas(nlmsghdr) std::array<char, 8192> request{};
  std::vector<char> buffer(65536);

  // Sends one query and feeds every reply to `parse`; ENOENT (no such table/set) is "absent".
  auto query = [&](std::uint16_t type, std::uint16_t flags, auto&& build, auto&& parse,
                   const std::string& what) -> std::optional<std::string> {
    request.fill(0);
    const std::uint32_t seq = dump_seq_++;
    nlmsghdr* nlh =
        nftnl_nlmsg_build_hdr(request.data(), type, NFPROTO_ARP, flags | NLM_F_ACK, seq);
    build(nlh);
    if (mnl_socket_sendto(dumps_.get(), nlh, nlh->nlmsg_len) < 0) return nft_error(what, errno);
    const std::uint32_t portid = mnl_socket_get_portid(dumps_.get());
    for (;;) {
      pollfd pfd{mnl_socket_get_fd(dumps_.get()), POLLIN, 0};
      const int ready = poll(&pfd, 1, kReplyTimeoutMs);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return nft_error(what + " (no reply)", ETIMEDOUT);
      const ssize_t n = mnl_socket_recvfrom(dumps_.get(), buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return nft_error(what, errno);
      }
      int remaining = static_cast<int>(n);
      for (auto* m = reinterpret_cast<const nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(m, remaining);
           m = mnl_nlmsg_next(m, &remaining)) {
        if (m->nlmsg_seq != seq || (m->nlmsg_pid != 0 && m->nlmsg_pid != portid)) continue;
        if (m->nlmsg_type == NLMSG_DONE) return std::nullopt;
        if (m->nlmsg_type == NLMSG_ERROR) {
          const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(m));
          if (err->error == 0 || err->error == -ENOENT) return std::nullopt;
          return nft_error(what, -err->error);
        }
        parse(m);
      }
    }
  };

  auto with_table = [&](auto setter) {
    return [&names, setter](nlmsghdr* nlh) { setter(nlh, names); };
  };

  if (auto e = query(
          NFT_MSG_GETTABLE, 0, with_table([](nlmsghdr* nlh, const ArpTableNames& n) {
            base::UniqueNftTable t(nftnl_table_alloc());
            nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, n.table.c_str());
            nftnl_table_nlmsg_build_payload(nlh, t.get());
          }),
          [&](const nlmsghdr* m) { parse_table_message(m, reading); },
          "reading table arp " + names.table)) {
    return *e;
  }
  if (!reading.table_present) return reading;

  if (auto e = query(
          NFT_MSG_GETCHAIN, NLM_F_DUMP, with_table([](nlmsghdr* nlh, const ArpTableNames& n) {
            base::UniqueNftChain c(nftnl_chain_alloc());
            nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, n.table.c_str());
            nftnl_chain_nlmsg_build_payload(nlh, c.get());
          }),
          [&](const nlmsghdr* m) {
            base::UniqueNftChain c(nftnl_chain_alloc());
            if (nftnl_chain_nlmsg_parse(m, c.get()) < 0) return;
            // Older kernels ignore the table filter on dumps: keep only ours.
            if (names.table != nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE)) return;
            parse_chain_message(m, reading);
          },
          "reading the chains of table arp " + names.table)) {
    return *e;
  }

  if (auto e = query(
          NFT_MSG_GETRULE, NLM_F_DUMP, with_table([](nlmsghdr* nlh, const ArpTableNames& n) {
            base::UniqueNftRule r(nftnl_rule_alloc());
            nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, n.table.c_str());
            nftnl_rule_nlmsg_build_payload(nlh, r.get());
          }),
          [&](const nlmsghdr* m) {
            base::UniqueNftRule r(nftnl_rule_alloc());
            if (nftnl_rule_nlmsg_parse(m, r.get()) < 0) return;
            if (names.table != nftnl_rule_get_str(r.get(), NFTNL_RULE_TABLE)) return;
            parse_rule_message(m, reading);
          },
          "reading the rules of table arp " + names.table)) {
    return *e;
  }

  if (auto e = query(
          NFT_MSG_GETSETELEM, NLM_F_DUMP, with_table([](nlmsghdr* nlh, const ArpTableNames& n) {
            UniqueNftSet s(nftnl_set_alloc());
            nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, n.table.c_str());
            nftnl_set_set_str(s.get(), NFTNL_SET_NAME, n.set.c_str());
            nftnl_set_elems_nlmsg_build_payload(nlh, s.get());
          }),
          [&](const nlmsghdr* m) { parse_set_elements_message(m, reading); },
          "reading set " + names.set + " of table arp " + names.table)) {
    return *e;
  }
  // An empty set dumps no element message; a set that exists answers with DONE, an absent one
  // with ENOENT: tell them apart by asking for the set itself.
  if (!reading.set_present) {
    if (auto e = query(
            NFT_MSG_GETSET, 0, with_table([](nlmsghdr* nlh, const ArpTableNames& n) {
              UniqueNftSet s(nftnl_set_alloc());
              nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, n.table.c_str());
              nftnl_set_set_str(s.get(), NFTNL_SET_NAME, n.set.c_str());
              nftnl_set_nlmsg_build_payload(nlh, s.get());
            }),
            [&](const nlmsghdr*) { reading.set_present = true; },
            "reading set " + names.set + " of table arp " + names.table)) {
      return *e;
    }
  }
  return reading;
}

}  // namespace lvs::agent
