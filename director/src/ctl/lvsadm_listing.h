// What `lvsadm -L ...` prints, given the parsed request (ctl/lvsadm_args.h) and what the director
// answered: ipvsadm's formatters (ctl/ipvsadm_format.h) picked as ipvsadm picks them. Pure.
#pragma once

#include <string>

#include "ctl/control_protocol.h"
#include "ctl/lvsadm_args.h"
#include "ctl/snapshot.h"

namespace lvs::ctl {

// The listing lvsadm prints for `request` given what the director answered, or the one-line
// error ipvsadm would print ("No such service") for a service that is not there.
struct ListOutput {
  std::string text;
  std::string error;  // non-empty: print it to stderr and exit 1
};
// The request a listing needs: LIST-CONNECTIONS for -c, LIST for the others.
Command command_for(const ListRequest& request);
ListOutput render_list(const ListRequest& request, const Snapshot& snapshot);

}  // namespace lvs::ctl
