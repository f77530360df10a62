// What the agent changed on this host, so `lvs-agent --cleanup` removes only that: the VIPs it
// added (a VIP that was already there is left alone), each sysctl's value before the agent first
// changed it, and whether it created the VIP device.
//
// Where it is kept: in the comment of the agent's own nftables table. The record then lives and
// dies with the network namespace (a reboot or `ip netns del` forgets it together with what it
// describes), survives agent restarts (a restart reads it back instead of taking the agent's own
// values for the originals), and needs no state directory, which several agents in several
// namespaces of one host (the lab) would otherwise have to share. The kernel caps the comment
// at 256 bytes (NFT_USERDATA_MAXLEN): when a record does not fit, the sysctl originals are left
// out first and --cleanup then leaves those sysctls as they are (it says so).
//
// Text form (one line, what `nft list table arp lvs_agent` shows as the comment):
//   lvs-agent v1 vips=10.200.0.100 sysctls=all.arp_ignore:0,eth0.arp_ignore:0 device=-
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/desired_state.h"

namespace lvs::agent {

struct OwnershipRecord {
  std::vector<Ipv4> vips_added;
  // value = what the sysctl held before the agent first wrote it.
  std::vector<SysctlSetting> sysctls_before;
  bool device_created = false;
  // False when the sysctl originals were left out to fit (see above).
  bool sysctls_complete = true;

  // Adds `vip` once.
  void note_vip_added(Ipv4 vip);
  // Records `original` for `setting` unless an earlier original is already recorded: the first
  // value seen before the agent touched it is the one to restore.
  void note_sysctl_changed(const SysctlSetting& setting, std::uint32_t original);
  friend bool operator==(const OwnershipRecord&, const OwnershipRecord&) = default;
};

// Room for the text inside the kernel's 256-byte userdata (2-byte TLV header, NUL).
inline constexpr std::size_t kMaxOwnershipRecordLength = 250;

// The text form, at most `max_length` bytes (sysctl originals dropped first if needed; if even
// the VIPs do not fit, the VIP list is cut and --cleanup leaves the rest).
std::string encode_ownership_record(const OwnershipRecord& record,
                                    std::size_t max_length = kMaxOwnershipRecordLength);
// nullopt when `text` is not a record (someone else's comment, or none).
std::optional<OwnershipRecord> decode_ownership_record(std::string_view text);

}  // namespace lvs::agent
