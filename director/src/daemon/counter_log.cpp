#include "daemon/counter_log.h"

#include "io/nfqueue_stats.h"

namespace lvs {

std::string counter_log_line(const Balancer& balancer, const DirectorIo& io) {
  const auto& c = balancer.path().counters();
  const auto& q = io.receiver.counters();
  std::string line = "counters: received " + std::to_string(q.packets) + ", forwarded " +
                     std::to_string(c.forwarded) + ", accepted " + std::to_string(c.accepted) +
                     ", sent " + std::to_string(io.forwarder.sent()) + ", connections " +
                     std::to_string(balancer.dispatcher().size());
  for (const auto& [reason, count] : balancer.path().drop_reasons()) {
    if (count != 0) line += ", " + std::string(reason) + " " + std::to_string(count);
  }
  for (std::size_t e = 0; e < io::kSendErrorCount; ++e) {
    const auto err = static_cast<io::SendError>(e);
    if (io.forwarder.errors(err) != 0) {
      line += ", " + std::string(io::send_error_name(err)) + " " +
              std::to_string(io.forwarder.errors(err));
    }
  }
  line += ", verdict batches " + std::to_string(q.batch_verdicts) + ", single verdicts " +
          std::to_string(q.single_verdicts);
  line += ", arp received " + std::to_string(io.arp.received()) + " sent " +
          std::to_string(io.arp.sent());
  if (io.arp.send_errors() != 0) line += " send errors " + std::to_string(io.arp.send_errors());
  for (ArpParseError e : arp_parse_errors()) {
    if (io.arp.parse_errors(e) != 0) {
      line += ", arp " + std::string(arp_parse_error_name(e)) + " " +
              std::to_string(io.arp.parse_errors(e));
    }
  }
  const auto& ns = balancer.neighbours().stats();
  line += ", neighbour res_failed " + std::to_string(ns.res_failed) + " lladdr_changes " +
          std::to_string(ns.lladdr_changes) + " unres_discards " +
          std::to_string(ns.unres_discards) + " unres_drops " + std::to_string(ns.unres_drops);
  if (q.verdict_errors + q.receive_errors + q.netlink_errors + q.malformed != 0) {
    line += ", netlink errors " +
            std::to_string(q.verdict_errors + q.receive_errors + q.netlink_errors + q.malformed);
  }
  std::string error;
  if (auto kernel = io::read_nfqueue_proc(error)) {
    for (const auto& k : *kernel) {
      if (k.queue < io.receiver.queue_first() || k.queue > io.receiver.queue_last()) continue;
      line += ", queue " + std::to_string(k.queue) + " kernel queue_dropped " +
              std::to_string(k.queue_dropped) + " user_dropped " + std::to_string(k.user_dropped);
    }
  }
  return line;
}

}  // namespace lvs
