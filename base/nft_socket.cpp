#include "base/nft_socket.h"

#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace lvs::base {
namespace {

constexpr int kReplyTimeoutMs = 5000;

std::string errno_text(int err) { return std::strerror(err); }

// What a person can do about `err` for a command described as `what`.
std::string hint_for(int err, const std::string& what) {
  switch (err) {
    case EPERM:
    case EACCES:
      return " (needs CAP_NET_ADMIN: run the director as root or grant it the capability)";
    case ENOENT:
    case EOPNOTSUPP:
      if (what.starts_with("add rule")) {
        return " (the kernel lacks this expression: the native queue needs CONFIG_NFT_QUEUE "
               "(nft_queue), the xt target CONFIG_NFT_COMPAT and "
               "CONFIG_NETFILTER_XT_TARGET_NFQUEUE)";
      }
      return "";
    case EBUSY:
      return " (the table is in use: is another director running in this network namespace?)";
    case EMSGSIZE:
    case ENOBUFS:
      return " (the batch is too large for the netlink socket)";
    default:
      return "";
  }
}

NftError make_error(int err, const std::string& what) {
  return {err, "nftables: " + what + ": " + errno_text(err) + hint_for(err, what)};
}

// Grows the send buffer to hold the whole batch: a transaction must go in one sendmsg(), and
// netlink refuses a message larger than the socket's send buffer.
void fit_send_buffer(int fd, std::size_t bytes) {
  int current = 0;
  socklen_t len = sizeof current;
  if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &current, &len) == 0 &&
      static_cast<std::size_t>(current) >= bytes + 4096) {
    return;
  }
  int wanted = static_cast<int>(bytes + 4096);
  // SO_SNDBUFFORCE ignores wmem_max (we have CAP_NET_ADMIN, or the batch fails anyway).
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &wanted, sizeof wanted) != 0) {
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &wanted, sizeof wanted);
  }
}

}  // namespace

std::variant<NftSocket, NftError> NftSocket::open() {
  UniqueMnlSocket sock(mnl_socket_open(NETLINK_NETFILTER));
  if (!sock) return make_error(errno, "opening a NETLINK_NETFILTER socket");
  if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return make_error(errno, "binding the NETLINK_NETFILTER socket");
  }
  // Errors without the echoed request: replies stay small, so a big batch's replies fit.
  int on = 1;
  (void)mnl_socket_setsockopt(sock.get(), NETLINK_CAP_ACK, &on, sizeof on);
  const std::uint32_t portid = mnl_socket_get_portid(sock.get());
  // Like nft: start from the clock, so replies to a previous process's batches never match.
  return NftSocket(std::move(sock), portid, static_cast<std::uint32_t>(std::time(nullptr)));
}

std::uint32_t NftSocket::reserve_seq(std::size_t messages) {
  const std::uint32_t first = seq_;
  seq_ += static_cast<std::uint32_t>(messages);
  return first;
}

std::optional<NftError> NftSocket::run(const NftBatch& batch) {
  if (batch.commands.empty()) return std::nullopt;
  const int fd = mnl_socket_get_fd(sock_.get());
  fit_send_buffer(fd, batch.bytes.size());
  if (mnl_socket_sendto(sock_.get(), batch.bytes.data(), batch.bytes.size()) < 0) {
    return make_error(errno, "sending a batch of " + std::to_string(batch.bytes.size()) +
                                 " bytes (" + batch.commands.front().what + ", ...)");
  }

  const std::uint32_t last_seq = batch.commands.back().seq;
  auto describe = [&](std::uint32_t seq) -> std::string {
    if (seq == batch.begin_seq) return "starting the nftables transaction";
    if (seq >= batch.commands.front().seq && seq <= last_seq) {
      return batch.commands[seq - batch.commands.front().seq].what;
    }
    return "ending the nftables transaction";
  };

  std::optional<NftError> first_error;
  int more_errors = 0;
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE > 65536 ? MNL_SOCKET_BUFFER_SIZE : 65536);
  for (;;) {
    pollfd pfd{fd, POLLIN, 0};
    const int ready = poll(&pfd, 1, kReplyTimeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      NftError e{ETIMEDOUT, "nftables: no reply from the kernel within " +
                                std::to_string(kReplyTimeoutMs / 1000) + " s to the batch (" +
                                describe(last_seq) + ")"};
      return first_error ? first_error : e;
    }
    const ssize_t n = mnl_socket_recvfrom(sock_.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(errno,
                        "reading the kernel's replies to the batch (it may or may not "
                        "have been applied)");
    }
    int remaining = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(nlh, remaining);
         nlh = mnl_nlmsg_next(nlh, &remaining)) {
      // Replies to other batches (an earlier one that timed out) or other senders: not ours.
      if ((nlh->nlmsg_pid != 0 && nlh->nlmsg_pid != portid_) || nlh->nlmsg_seq < batch.begin_seq ||
          nlh->nlmsg_seq > batch.end_seq || nlh->nlmsg_type != NLMSG_ERROR) {
        continue;
      }
      const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
      if (err->error != 0) {
        if (first_error) {
          ++more_errors;
        } else {
          first_error = make_error(-err->error, describe(nlh->nlmsg_seq));
        }
      }
      // The last command's reply comes after all others; a failed BATCH_BEGIN (no
      // CAP_NET_ADMIN) is the only reply there will be.
      if (nlh->nlmsg_seq == last_seq || nlh->nlmsg_seq == batch.begin_seq ||
          nlh->nlmsg_seq == batch.end_seq) {
        if (first_error && more_errors > 0) {
          first_error->message += " (and " + std::to_string(more_errors) + " more errors)";
        }
        return first_error;
      }
    }
  }
}

}  // namespace lvs::base
