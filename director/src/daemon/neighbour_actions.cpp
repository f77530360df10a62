#include "daemon/neighbour_actions.h"

#include <string>

#include "base/timers.h"
#include "daemon/director_log.h"
#include "packet/arp_frame.h"

namespace lvs {
namespace {

std::string ip_text(Ipv4 ip) { return format_ipv4(ip); }

std::string spoof_reason(PossibleSpoof::Reason reason) {
  switch (reason) {
    case PossibleSpoof::Reason::PermanentConflict:
      return " (static entry)";
    case PossibleSpoof::Reason::FlipFlop:
      return " (changed within locktime)";
    case PossibleSpoof::Reason::ChangeUnconfirmed:
      return " (change not confirmed by the old MAC's silence)";
  }
  return "";
}

std::string change_check_line(const LladdrChangeCheck& k) {
  const std::string head = "neigh " + ip_text(k.ip) + " claimed at " + format_mac(k.claimed) + ": ";
  switch (k.outcome) {
    case LladdrChangeCheck::Outcome::Started:
      return head + "probing " + format_mac(k.current) +
             " before believing it, traffic stays there";
    case LladdrChangeCheck::Outcome::Rejected:
      return "warning: possible ARP spoof: " + head + format_mac(k.current) +
             " answered, change rejected";
    case LladdrChangeCheck::Outcome::Accepted:
      return head + format_mac(k.current) + " silent after " + std::to_string(k.probes) +
             " probe(s), change accepted";
  }
  return head;
}

}  // namespace

void NeighbourActions::execute() {
  const TimeMs now = base::monotonic_ms();
  for (auto& event : events_) {
    if (const auto* s = std::get_if<SolicitRequest>(&event)) {
      arp_.send(arp_request(arp_.mac(), arp_.address(), s->target, s->unicast_to));
    } else if (auto* r = std::get_if<NeighbourResolved>(&event)) {
      // The packets that waited for this answer, in the order they came.
      for (const PendingPacket& p : r->packets) forwarder_.forward(p, r->lladdr);
      forwarder_.flush();
      if (r->was_failed) {
        director_log("neigh " + ip_text(r->ip) + " lladdr " + format_mac(r->lladdr) +
                     " answers again: back in rotation");
      } else {
        director_log("neigh " + ip_text(r->ip) + " resolved to " + format_mac(r->lladdr) +
                     (r->packets.empty()
                          ? ""
                          : ", " + std::to_string(r->packets.size()) + " queued packet(s) sent"));
      }
    } else if (const auto* f = std::get_if<NeighbourFailed>(&event)) {
      if (f->already_dead) continue;  // a dead host asked again (every few seconds): no news
      director_log("neigh " + ip_text(f->ip) + " FAILED (no ARP answer in " +
                   std::string(nud_state_name(f->from)) + ", " + std::to_string(f->dropped) +
                   " queued packet(s) dropped): dead host, no new connections until it answers");
    } else if (const auto* c = std::get_if<LladdrChanged>(&event)) {
      // Rate-limited, as everything ARP from the segment can cause at will; formatted only
      // when written.
      director_log_ratelimited_lazy(now, [c] {
        return "neigh " + ip_text(c->ip) + " changed ethernet address " +
               format_mac(c->old_lladdr) + " -> " + format_mac(c->new_lladdr);
      });
    } else if (const auto* p = std::get_if<PossibleSpoof>(&event)) {
      director_log_ratelimited_lazy(now, [p] {
        return "warning: possible ARP spoof: " + ip_text(p->ip) + " claimed at " +
               format_mac(p->claimed) + " but the table keeps " + format_mac(p->cached) +
               spoof_reason(p->reason);
      });
    } else if (const auto* k = std::get_if<LladdrChangeCheck>(&event)) {
      director_log_ratelimited_lazy(now, [k] { return change_check_line(*k); });
    }
  }
  events_.clear();  // keeps the capacity
  director_log_ratelimit_flush(now);
  for (const auto& change : balancer_.apply_dead_hosts()) {
    director_log("real server " + format_endpoint(change.server) +
                 (change.dead ? " marked dead (neighbour FAILED)" : " alive again"));
  }
  timer_.arm(balancer_.neighbours().next_timer());
}

}  // namespace lvs
