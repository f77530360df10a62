// A NETLINK_NETFILTER socket that runs nftables batches (base/nft_batch.h) and turns the kernel's
// replies into one error value naming the command that failed and what to do about it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "base/nft_batch.h"
#include "base/unique_nftnl.h"

namespace lvs::base {

struct NftError {
  int errnum = 0;       // errno of the first failure (0 when it was not an errno)
  std::string message;  // "nftables: add rule for tcp/...: No such file or directory (the ...)"
};

class NftSocket {
 public:
  static std::variant<NftSocket, NftError> open();

  // The first sequence number of a batch of `messages` messages, reserved.
  std::uint32_t reserve_seq(std::size_t messages);

  // Sends the batch in one sendmsg() and waits (up to 5 s) for the kernel's verdict on the whole
  // transaction: nullopt = committed; otherwise nothing of it was applied.
  std::optional<NftError> run(const NftBatch& batch);

 private:
  NftSocket(UniqueMnlSocket sock, std::uint32_t portid, std::uint32_t seq)
      : sock_(std::move(sock)), portid_(portid), seq_(seq) {}

  UniqueMnlSocket sock_;
  std::uint32_t portid_ = 0;
  std::uint32_t seq_ = 0;
};

}  // namespace lvs::base
