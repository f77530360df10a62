#include "daemon/neighbour_actions.h"

#include <string>

#include "daemon/director_log.h"
#include "packet/arp_frame.h"

namespace lvs {
namespace {

std::string ip_text(Ipv4 ip) { return format_ipv4(ip); }

}  // namespace

void NeighbourActions::execute() {
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
      director_log("neigh " + ip_text(c->ip) + " changed ethernet address " +
                   format_mac(c->old_lladdr) + " -> " + format_mac(c->new_lladdr));
    } else if (const auto* p = std::get_if<PossibleSpoof>(&event)) {
      director_log("warning: possible ARP spoof: " + ip_text(p->ip) + " claimed at " +
                   format_mac(p->claimed) + " but the table keeps " + format_mac(p->cached) +
                   (p->reason == PossibleSpoof::Reason::PermanentConflict
                        ? " (static entry)"
                        : " (changed within locktime)"));
    }
  }
  events_.clear();  // keeps the capacity
  for (const auto& change : balancer_.apply_dead_hosts()) {
    director_log("real server " + format_endpoint(change.server) +
                 (change.dead ? " marked dead (neighbour FAILED)" : " alive again"));
  }
  timer_.arm(balancer_.neighbours().next_timer());
}

}  // namespace lvs
