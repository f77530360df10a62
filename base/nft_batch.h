// One nfnetlink batch of nftables commands, for any family (the director's `ip` table, the
// agent's `arp` table): BATCH_BEGIN, the commands, BATCH_END, concatenated in one byte vector
// ready for one sendmsg() (base/nft_socket.h). The encoders that fill it are pure functions of
// their daemon's model, unit-tested by comparing encodings.
//
// Only the last command asks for an ACK: the kernel reports every failing command anyway, and
// all replies arrive in order after the whole batch was processed (nfnetlink_rcv_batch()), so
// the reply to the last command means the batch is done.
#pragma once

#include <libnftnl/common.h>
#include <linux/netlink.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lvs::base {

struct NftBatch {
  struct Command {
    std::uint32_t seq = 0;
    std::string what;  // "add rule for tcp/10.200.0.100:80 in ip lvs_director vip_in": for errors
  };
  std::vector<std::uint8_t> bytes;
  std::uint32_t begin_seq = 0;
  std::vector<Command> commands;  // in order; seqs begin_seq+1 .. begin_seq+commands.size()
  std::uint32_t end_seq = 0;
};

// Appends one netlink message per command. Each message is built in a scratch buffer first,
// because libnftnl builds into caller memory.
class NftBatchWriter {
 public:
  // `family`: NFPROTO_IPV4, NFPROTO_ARP, ... for every command of the batch.
  NftBatchWriter(std::uint16_t family, std::uint32_t first_seq);

  // One command: `build` receives the message header and fills the payload, typically with
  // nftnl_{table,chain,rule,set}_nlmsg_build_payload(). `what` names it in error messages.
  template <typename Build>
  void command(std::uint16_t type, std::uint16_t flags, std::string what, Build&& build) {
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(scratch(), type, family_, flags, seq_);
    build(nlh);
    batch_.commands.push_back({seq_++, std::move(what)});
    append(nlh);
  }

  // Closes the batch (ACK on the last command, BATCH_END) and hands it over.
  NftBatch finish() &&;

 private:
  char* scratch();
  void append(const nlmsghdr* nlh);

  // Holds any single message either daemon builds; a set-element message for many VIPs is the
  // largest.
  alignas(nlmsghdr) std::array<char, 65536> buffer_{};
  std::uint16_t family_;
  std::uint32_t seq_;
  std::size_t last_offset_ = 0;
  std::size_t dirty_ = 0;  // bytes of buffer_ the last message wrote
  NftBatch batch_;
};

}  // namespace lvs::base
