// The agent's reasons to refuse to start (issue 6 item 4), as pure functions over facts the
// adapters gathered: each returns one line saying what is wrong and what to do, or nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/desired_state.h"
#include "core/host_facts.h"
#include "core/observed_state.h"

namespace lvs::agent {

// A configured VIP on an ARP-capable interface: the host answers ARP for it there (taking the
// director's traffic) or, if it is an address the director also holds, black-holes it. The agent
// will not remove an address it did not add, so it refuses instead.
std::vector<MisplacedVip> find_misplaced_vips(const DesiredState& desired,
                                              const std::vector<AddressFacts>& addresses);
std::optional<std::string> refuse_misplaced_vips(const std::vector<MisplacedVip>& misplaced);

// The VIP device must be loopback or a dummy (both never answer ARP); absent means the agent
// creates a dummy with that name. `link` is nullptr when no such device exists.
std::optional<std::string> refuse_vip_device(const DesiredState& desired, const LinkFacts* link);

// Every interface in `interfaces` must exist (its arp_* sysctls are what the agent enforces).
std::optional<std::string> refuse_missing_interfaces(const DesiredState& desired,
                                                     const std::vector<LinkFacts>& links);

// CapEff from the text of /proc/self/status; nullopt if absent or malformed.
std::optional<std::uint64_t> parse_effective_capabilities(std::string_view proc_status);
// CAP_NET_ADMIN (12) is what rtnetlink address changes, nftables and net.* sysctl writes need.
std::optional<std::string> refuse_without_net_admin(std::optional<std::uint64_t> cap_eff);

}  // namespace lvs::agent
