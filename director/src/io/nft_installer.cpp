#include "io/nft_installer.h"

#include <cerrno>
#include <utility>

namespace lvs::io {
namespace {

template <typename Encode>
std::optional<base::NftError> run_encoded(base::NftSocket& socket, std::size_t max_messages,
                                          Encode&& encode) {
  const base::NftBatch batch = encode(socket.reserve_seq(max_messages));
  return socket.run(batch);
}

bool means_missing_expression(const base::NftError& e) {
  return e.errnum == ENOENT || e.errnum == EOPNOTSUPP;
}

}  // namespace

std::variant<NftInstaller, base::NftError> NftInstaller::open(Options options) {
  auto opened = base::NftSocket::open();
  if (auto* e = std::get_if<base::NftError>(&opened)) return std::move(*e);
  base::NftSocket socket = std::move(std::get<base::NftSocket>(opened));

  if (options.encoding) {
    const QueueEncoding encoding = *options.encoding;
    std::string note =
        "nftables: using the " + std::string(to_string(encoding)) + " (configured, not probed)";
    return NftInstaller(std::move(socket), std::move(options), encoding, std::move(note));
  }

  // A probe batch has 4 commands; reserve a little more than it uses.
  const std::string probe_table = options.table + "_probe";
  auto probe = [&](QueueEncoding encoding) {
    return run_encoded(socket, 8, [&](std::uint32_t seq) {
      return encode_probe_batch(encoding, probe_table, seq);
    });
  };

  auto native = probe(QueueEncoding::NativeQueue);
  if (!native) {
    std::string note = "nftables: the kernel has the native queue expression; using it";
    return NftInstaller(std::move(socket), std::move(options), QueueEncoding::NativeQueue,
                        std::move(note));
  }
  if (!means_missing_expression(*native)) return std::move(*native);  // EPERM and the like

  auto xt = probe(QueueEncoding::XtNfqueue);
  if (xt) {
    xt->message = "nftables: the kernel accepts neither the native queue expression (" +
                  native->message + ") nor the xt NFQUEUE target (" + xt->message + ")";
    return std::move(*xt);
  }
  std::string note =
      "nftables: the kernel has no native queue expression (CONFIG_NFT_QUEUE); using the " +
      std::string(to_string(QueueEncoding::XtNfqueue));
  return NftInstaller(std::move(socket), std::move(options), QueueEncoding::XtNfqueue,
                      std::move(note));
}

NftInstaller::NftInstaller(NftInstaller&& other) noexcept
    : socket_(std::move(other.socket_)),
      options_(std::move(other.options_)),
      encoding_(other.encoding_),
      detection_note_(std::move(other.detection_note_)),
      installed_(std::exchange(other.installed_, false)) {}

NftInstaller& NftInstaller::operator=(NftInstaller&& other) noexcept {
  if (this != &other) {
    if (installed_) (void)remove();
    socket_ = std::move(other.socket_);
    options_ = std::move(other.options_);
    encoding_ = other.encoding_;
    detection_note_ = std::move(other.detection_note_);
    installed_ = std::exchange(other.installed_, false);
  }
  return *this;
}

NftInstaller::~NftInstaller() {
  // Nowhere to report an error from a destructor; callers that care call remove() first.
  if (installed_) (void)remove();
}

std::optional<base::NftError> NftInstaller::install(const config::DirectorConfig& config) {
  NftRulesetOptions rules;
  rules.table = options_.table;
  rules.chain = options_.chain;
  rules.encoding = encoding_;
  rules.queue = queue_target_for(config.director);
  rules.queue.bypass = options_.bypass;
  rules.owner = options_.owner;
  // begin + 4 table/chain commands + one rule per service + end.
  auto run = [&] {
    return run_encoded(socket_, config.services.size() + 6,
                       [&](std::uint32_t seq) { return encode_install_batch(config, rules, seq); });
  };
  auto error = run();
  // A kernel before 5.12 rejects the unknown table flag (EOPNOTSUPP; EINVAL on some): no owner,
  // and bypass instead, so a crash still cannot blackhole the VIPs (nft_rules.h).
  if (error && options_.owner && (error->errnum == EOPNOTSUPP || error->errnum == EINVAL) &&
      error->message.find("flags owner") != std::string::npos) {
    options_.owner = false;
    options_.bypass = true;
    rules.owner = false;
    rules.queue.bypass = true;
    error = run();
  }
  if (!error) installed_ = true;
  return error;
}

std::string NftInstaller::crash_safety_note() const {
  if (options_.owner) {
    return "nftables: table ip " + options_.table +
           " is owned by this process (NFT_TABLE_F_OWNER): the kernel removes it if the director "
           "dies, even by kill -9";
  }
  if (options_.bypass) {
    return "nftables: the kernel has no table owner flag (Linux < 5.12); queue bypass on, so a "
           "dead director's rules accept VIP packets instead of dropping them";
  }
  return "nftables: no owner flag and no bypass: if the director dies, its rules stay and drop "
         "VIP traffic until `nft delete table ip " +
         options_.table + "`";
}

std::optional<base::NftError> NftInstaller::remove() {
  NftRulesetOptions rules;
  rules.table = options_.table;
  auto error =
      run_encoded(socket_, 4, [&](std::uint32_t seq) { return encode_remove_batch(rules, seq); });
  if (!error) installed_ = false;
  return error;
}

}  // namespace lvs::io
