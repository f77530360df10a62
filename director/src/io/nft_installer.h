// Installs, replaces and removes the director's nftables table (io/nft_rules.h) in the current
// network namespace. Thin: the rules are encoded by the pure encoder; this class only probes the
// kernel once, sends batches and keeps track of whether the table is ours to remove.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "base/nft_socket.h"
#include "config/model.h"
#include "io/nft_rules.h"

namespace lvs::io {

class NftInstaller {
 public:
  struct Options {
    std::string table = "lvs_director";
    std::string chain = "vip_in";
    // Skip detection and use this encoding (tests; an operator who knows the kernel).
    std::optional<QueueEncoding> encoding;
    bool bypass = false;  // fail-open; the director sets it only when `owner` is refused
    // NFT_TABLE_F_OWNER: the kernel deletes the table when this installer's socket closes, so
    // a director killed by any signal leaves no rules behind (nft_rules.h). If the kernel
    // refuses the flag (< 5.12), install() falls back to `bypass` and says so in
    // crash_safety_note().
    bool owner = true;
  };

  // Opens the socket and detects the queue encoding: the native `queue` expression if the
  // kernel accepts it, else the xt NFQUEUE target; an error if neither (or no CAP_NET_ADMIN).
  static std::variant<NftInstaller, base::NftError> open(Options options);
  static std::variant<NftInstaller, base::NftError> open() { return open(Options{}); }

  NftInstaller(NftInstaller&& other) noexcept;
  NftInstaller& operator=(NftInstaller&& other) noexcept;
  NftInstaller(const NftInstaller&) = delete;
  NftInstaller& operator=(const NftInstaller&) = delete;
  // Removes the table if this installer put it there (a clean exit leaves no rules behind).
  ~NftInstaller();

  QueueEncoding encoding() const { return encoding_; }
  // One line for the start-up log: which encoding and why.
  const std::string& detection_note() const { return detection_note_; }
  // One line for the start-up log, after the first install(): what removes the rules if the
  // director dies without cleaning up.
  std::string crash_safety_note() const;

  // Installs or atomically replaces the table with one rule per service of `config`, queueing
  // to its director.queue range. On error the previous rules stay in force.
  std::optional<base::NftError> install(const config::DirectorConfig& config);

  // Removes the table (no error if it is absent).
  std::optional<base::NftError> remove();

 private:
  NftInstaller(base::NftSocket socket, Options options, QueueEncoding encoding, std::string note)
      : socket_(std::move(socket)),
        options_(std::move(options)),
        encoding_(encoding),
        detection_note_(std::move(note)) {}

  base::NftSocket socket_;
  Options options_;
  QueueEncoding encoding_;
  std::string detection_note_;
  bool installed_ = false;
};

}  // namespace lvs::io
