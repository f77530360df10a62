// The agent's nftables table in the kernel: installs or replaces it (one batch through the
// director's NftSocket), removes it, and reads it back (netlink dumps) for verification and
// counters. Thin: what the table holds is decided by io/arp_nft_encoder.h, whether a read-back
// table is right by core/arp_table_check.h.
#pragma once

#include <linux/netlink.h>

#include <optional>
#include <string>
#include <variant>

#include "base/nft_socket.h"
#include "base/unique_nftnl.h"
#include "core/arp_table_check.h"
#include "core/desired_state.h"

namespace lvs::agent {

class ArpNftTable {
 public:
  // Errors name what failed and what to do (EPERM: needs CAP_NET_ADMIN).
  static std::variant<ArpNftTable, std::string> open();

  std::optional<std::string> install(const DesiredState& desired, const std::string& comment);
  std::optional<std::string> remove(const ArpTableNames& names);
  std::variant<ArpTableReading, std::string> read(const ArpTableNames& names);

 private:
  ArpNftTable(base::NftSocket batches, base::UniqueMnlSocket dumps)
      : batches_(std::move(batches)), dumps_(std::move(dumps)) {}

  base::NftSocket batches_;
  base::UniqueMnlSocket dumps_;  // queries only, so replies never mix with a batch's
  std::uint32_t dump_seq_ = 1;
};

// The parsers the reader applies to each dumped message; also used by the unit tests on the
// encoder's own messages. Each returns false when `nlh` is not a well-formed message of its kind.
bool parse_table_message(const nlmsghdr* nlh, ArpTableReading& into);
bool parse_chain_message(const nlmsghdr* nlh, ArpTableReading& into);
bool parse_rule_message(const nlmsghdr* nlh, ArpTableReading& into);
bool parse_set_elements_message(const nlmsghdr* nlh, ArpTableReading& into);

}  // namespace lvs::agent
