#include "core/arp_table_check.h"

#include <algorithm>

namespace lvs::agent {
namespace {

constexpr std::uint32_t kArpIn = 0;   // NF_ARP_IN
constexpr std::uint32_t kArpOut = 1;  // NF_ARP_OUT
constexpr std::uint32_t kAccept = 1;  // NF_ACCEPT

std::string table_ref(const DesiredState& d) { return "table arp " + d.nft.table; }

std::string check_chain(const DesiredState& d, const ArpTableReading& r, const std::string& name,
                        std::uint32_t hook) {
  auto it = std::find_if(r.chains.begin(), r.chains.end(),
                         [&](const ArpChainReading& c) { return c.name == name; });
  if (it == r.chains.end()) return table_ref(d) + ": chain " + name + " is missing";
  if (it->hooknum != hook) return table_ref(d) + ": chain " + name + " is not on its hook";
  if (it->policy != kAccept) return table_ref(d) + ": chain " + name + " policy is not accept";
  return "";
}

}  // namespace

std::string vip_rule_comment(Ipv4 vip) {
  return "lvs-agent: ARP request for VIP " + format_ipv4(vip);
}

std::string sender_rule_comment() { return "lvs-agent: ARP sent from a VIP"; }

const std::vector<std::string>& vip_rule_expressions() {
  static const std::vector<std::string> e{"payload", "cmp", "payload", "cmp",
                                          "payload", "cmp", "counter", "immediate"};
  return e;
}

const std::vector<std::string>& sender_rule_expressions() {
  static const std::vector<std::string> e{"payload", "cmp",     "payload",
                                          "lookup",  "counter", "immediate"};
  return e;
}

std::string check_arp_table(const DesiredState& d, const ArpTableReading& r) {
  if (!r.table_present) return table_ref(d) + " is missing";
  if (!r.set_present) return table_ref(d) + ": set " + d.nft.set + " is missing";
  auto want = d.vips;
  auto have = r.set_elements;
  std::sort(want.begin(), want.end());
  std::sort(have.begin(), have.end());
  if (want != have) return table_ref(d) + ": set " + d.nft.set + " does not hold exactly the VIPs";
  if (auto e = check_chain(d, r, d.nft.input_chain, kArpIn); !e.empty()) return e;
  if (auto e = check_chain(d, r, d.nft.output_chain, kArpOut); !e.empty()) return e;
  if (r.chains.size() != 2) return table_ref(d) + ": holds chains the agent did not create";

  std::size_t expected_rules = d.vips.size() + 1;
  if (r.rules.size() != expected_rules) {
    return table_ref(d) + ": holds " + std::to_string(r.rules.size()) + " rules, expected " +
           std::to_string(expected_rules);
  }
  auto has_rule = [&](const std::string& chain, const std::string& comment,
                      const std::vector<std::string>& exprs) {
    return std::any_of(r.rules.begin(), r.rules.end(), [&](const ArpRuleReading& rule) {
      return rule.chain == chain && rule.comment == comment && rule.expressions == exprs;
    });
  };
  for (Ipv4 vip : d.vips) {
    if (!has_rule(d.nft.input_chain, vip_rule_comment(vip), vip_rule_expressions())) {
      return table_ref(d) + ": the rule dropping ARP requests for " + format_ipv4(vip) +
             " is missing or changed";
    }
  }
  if (!has_rule(d.nft.output_chain, sender_rule_comment(), sender_rule_expressions())) {
    return table_ref(d) + ": the rule dropping ARP sent from a VIP is missing or changed";
  }
  return "";
}

std::vector<std::pair<Ipv4, std::uint64_t>> arp_drops_per_vip(const DesiredState& d,
                                                              const ArpTableReading& r) {
  std::vector<std::pair<Ipv4, std::uint64_t>> out;
  for (Ipv4 vip : d.vips) {
    const std::string c = vip_rule_comment(vip);
    for (const auto& rule : r.rules) {
      if (rule.chain == d.nft.input_chain && rule.comment == c) {
        out.emplace_back(vip, rule.packets);
        break;
      }
    }
  }
  return out;
}

}  // namespace lvs::agent
