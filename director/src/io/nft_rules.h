// The director's nftables rules as netlink messages: a pure function from the config model to
// the bytes of one libmnl/nfnetlink batch (no socket, no kernel), so reloads are unit-tested by
// comparing encodings and installed atomically by NftInstaller (io/nft_installer.h).
//
// What the rules are (one table the director owns, nothing else touched):
//
//   table ip lvs_director {
//     chain vip_in {
//       type filter hook input priority 98; policy accept;
//       ip daddr 10.200.0.100 tcp dport 80 counter queue num 0      # one rule per service
//       ip daddr 10.200.0.100 udp dport 9000 counter queue num 0
//       meta mark 0x00000001 counter queue num 0                    # fwmark services
//     }
//   }
//
// Why the input hook at priority 98: it is where IPVS itself sits (ip_vs_in() on NF_INET_LOCAL_IN
// at NF_IP_PRI_NAT_SRC - 2). The VIP is a local address on the director (external and managed
// mode alike), so VIP packets are routed for local delivery and pass here; marks set in prerouting
// (mangle, the classic `-j MARK` for fwmark services) are already on the packet; the host's own
// input filter (priority 0) has had its say first, exactly as with IPVS. Everything else matches
// no rule and leaves by the chain's accept policy, untouched.
//
// With the xt encoding, `nft list ruleset` prefixes the table with "# Warning: table ip
// lvs_director is managed by iptables-nft, do not touch!" (nft says so of any table holding xt
// expressions) and shows the target translated back as `queue num 0`.
//
// Who removes the rules. A clean exit removes the table itself. A director that dies any other
// way (kill -9, a crash, the OOM killer) cannot, so the table is created with the `owner` flag
// (NFT_TABLE_F_OWNER, Linux >= 5.12): it belongs to the netlink socket that created it, and the
// kernel deletes it when that socket closes — which the kernel does for a dead process
// (nft_rcv_nl_event() on NETLINK_URELEASE). Only that socket may change the table afterwards (a
// second director in the namespace gets EPERM), so NftInstaller keeps one socket for the
// daemon's life. The VIP is then no longer queued: its packets go to the host's own stack, which
// holds the VIP but serves nothing on it — TCP clients get a RST at once (curl: "Connection
// refused"), UDP an ICMP port unreachable — instead of an endless blackhole, and a restarted
// director or a VRRP backup takes over where connections are retried.
//
// Why no queue bypass while the owner flag works (fail-closed for the moments a director is
// gone and its table is not): the kernel drops queued packets nobody listens for, which TCP
// retransmits; bypass would accept them into the director's own stack (the RSTs above) and with
// DR have it answer for the real servers. On a kernel without the owner flag (< 5.12) the table
// would outlive a crash, so NftInstaller falls back to bypass there: a dead director's rules
// then accept instead of drop — the same RST, never a blackhole.
//
// A queue range (queue: "0-3") is spread by the kernel's flow hash (nfqueue_hash(): addresses and
// protocol, symmetric), not by CPU fanout: every packet of a connection must reach the worker
// that holds that connection in its table, and a client's connections the same worker (sh,
// persistence).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/nft_batch.h"
#include "config/model.h"

namespace lvs::io {

// How "send to NFQUEUE" is encoded. The native nft `queue` expression needs CONFIG_NFT_QUEUE;
// the xt NFQUEUE target (revision 3) through nft_compat is what iptables-nft sends and works on
// kernels built without it (such as this project's build machine).
enum class QueueEncoding : std::uint8_t { NativeQueue, XtNfqueue };

// "native nft queue expression" / "xt NFQUEUE target via nft_compat": for the start-up log line.
std::string_view to_string(QueueEncoding encoding);

// The queue verdict of every rule: queues first .. first+total-1.
struct QueueTarget {
  std::uint16_t first = 0;
  std::uint16_t total = 1;
  // Accept instead of drop while nobody listens. Off in the director (see above); tests use it
  // to show the difference.
  bool bypass = false;
};

// queue_first..queue_last of the director settings, fail-closed.
QueueTarget queue_target_for(const config::DirectorSettings& settings);

struct NftRulesetOptions {
  std::string table = "lvs_director";  // family ip; the only table the director creates
  std::string chain = "vip_in";
  QueueEncoding encoding = QueueEncoding::XtNfqueue;
  QueueTarget queue;
  // Create the table with NFT_TABLE_F_OWNER (see above).
  bool owner = false;
};

// Replaces the table atomically: add table (so the delete cannot fail on a first install; no
// flags, so it also matches a table left by a director without the owner flag), delete table,
// add table (with `owner` if asked), add chain, one rule per service in file order. In one
// transaction, packets see either the old rules or the new ones, never none.
base::NftBatch encode_install_batch(const config::DirectorConfig& config,
                                    const NftRulesetOptions& options, std::uint32_t first_seq);

// Removes the table if present (add + delete, so an absent table is not an error).
base::NftBatch encode_remove_batch(const NftRulesetOptions& options, std::uint32_t first_seq);

// Asks whether the kernel accepts a rule with `encoding`, without leaving any trace: a throwaway
// table with the same base chain and one queue rule, deleted again in the same transaction. The
// kernel resolves the expression type when the rule is added, so a missing CONFIG_NFT_QUEUE fails
// the batch (ENOENT) and nothing is committed.
base::NftBatch encode_probe_batch(QueueEncoding encoding, const std::string& probe_table,
                                  std::uint32_t first_seq);

}  // namespace lvs::io
