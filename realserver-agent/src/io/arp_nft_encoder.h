// The agent's nftables table (core/arp_table_check.h shows it in nft syntax) as the bytes of one
// nfnetlink batch: a pure function, no socket, so it is unit-tested by parsing the bytes back.
// Sent by io/arp_nft_table.h through the director's NftSocket (same batch format, NftBatch).
#pragma once

#include <cstdint>
#include <string>

#include "base/nft_batch.h"
#include "core/desired_state.h"

namespace lvs::agent {

// Replaces the table atomically: add table (so the delete cannot fail when it is absent), delete
// it, add it with `comment` (the ownership record), the set with every VIP, both chains, one
// input rule per VIP and the output rule. Packets see the old table or the new one, never none.
base::NftBatch encode_arp_table_install(const DesiredState& desired, const std::string& comment,
                                        std::uint32_t first_seq);
// How many sequence numbers the install batch uses (for NftSocket::reserve_seq).
std::size_t arp_table_install_messages(const DesiredState& desired);

// Removes the table if present (add + delete: no error when it is absent).
base::NftBatch encode_arp_table_remove(const ArpTableNames& names, std::uint32_t first_seq);
inline constexpr std::size_t kArpTableRemoveMessages = 4;

}  // namespace lvs::agent
