#include "ctl/lvsadm_listing.h"

namespace lvs::ctl {

Command command_for(const ListRequest& request) {
  return request.connections ? Command::list_connections : Command::list;
}

ListOutput render_list(const ListRequest& request, const Snapshot& snapshot) {
  if (request.connections) return {format_connections(snapshot.connections), {}};
  if (request.timeouts) return {format_timeouts(snapshot.timeouts), {}};
  // The director runs no connection-sync daemon, so --daemon lists nothing, as ipvsadm does
  // when neither a master nor a backup daemon is running.
  if (request.daemon) return {};
  if (request.service) {
    for (const ServiceSnapshot& s : snapshot.services) {
      if (s.key == *request.service) return {format_service(s, request.format), {}};
    }
    return {{}, "No such service"};
  }
  return {format_listing(snapshot, request.format), {}};
}

}  // namespace lvs::ctl
