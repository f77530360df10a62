// What the agent's nftables table must look like, and the check of a table read back from the
// kernel against it. Pure: io/arp_nft_table.h reads the table into an ArpTableReading, the
// encoder (io/arp_nft_encoder.h) writes the same shapes declared here.
//
//   table arp lvs_agent {
//     comment "lvs-agent v1 vips=... sysctls=... device=-"      # core/ownership_record.h
//     set vips { type ipv4_addr; elements = { 10.200.0.100 } }
//     chain arp_in { type filter hook input priority 0; policy accept;
//       arp htype 1 arp ptype 0x0800 ... arp operation request arp daddr ip 10.200.0.100
//         counter drop comment "lvs-agent: ARP request for VIP 10.200.0.100"   # one per VIP
//     }
//     chain arp_out { type filter hook output priority 0; policy accept;
//       arp ptype 0x0800 ... arp saddr ip @vips counter drop
//         comment "lvs-agent: ARP sent from a VIP"
//     }
//   }
//
// Why one input rule per VIP rather than one rule matching @vips: each rule's counter is the
// per-VIP figure lvs_agent_arp_requests_dropped_total{vip} exports (set elements can carry
// counters too, but only on newer kernels and with more to read back). The output side needs
// no per-VIP figure, so it uses the set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/desired_state.h"

namespace lvs::agent {

std::string vip_rule_comment(Ipv4 vip);
std::string sender_rule_comment();

// The expression kinds of each rule, in order (libnftnl expression names).
const std::vector<std::string>& vip_rule_expressions();
const std::vector<std::string>& sender_rule_expressions();

struct ArpChainReading {
  std::string name;
  std::optional<std::uint32_t> hooknum;  // NF_ARP_IN 0, NF_ARP_OUT 1
  std::optional<std::uint32_t> policy;   // NF_ACCEPT 1
};

struct ArpRuleReading {
  std::string chain;
  std::string comment;
  std::vector<std::string> expressions;
  std::uint64_t packets = 0;  // of its counter expression
};

struct ArpTableReading {
  bool table_present = false;
  std::string table_comment;
  bool set_present = false;
  std::vector<Ipv4> set_elements;
  std::vector<ArpChainReading> chains;
  std::vector<ArpRuleReading> rules;
};

// "" when `reading` is exactly the table `desired` calls for; else the first difference, as a
// line for the log and /healthz ("table arp lvs_agent is missing", ...).
std::string check_arp_table(const DesiredState& desired, const ArpTableReading& reading);

// Packets counted by each VIP's input rule (VIPs whose rule is missing are left out).
std::vector<std::pair<Ipv4, std::uint64_t>> arp_drops_per_vip(const DesiredState& desired,
                                                              const ArpTableReading& reading);

}  // namespace lvs::agent
