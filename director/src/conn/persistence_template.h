// Persistence templates (ipvsadm -p/-M) as ip_vs_sched_persist() builds and checks them: the
// template's key and ip_vs_check_template(). The dispatcher drives them; the table stores them.
#pragma once

#include <cstdint>

#include "conn/connection_table.h"
#include "sched/scheduler.h"
#include "service/virtual_service.h"

namespace lvs {

class PersistenceTemplate {
 public:
  // The port whose services get port-less templates (FTPPORT): FTP data connections use other
  // ports, so the kernel keys FTP persistence on <caddr/mask, 0, vaddr, 0>.
  static constexpr std::uint16_t kFtpPort = 21;

  // ip_vs_sched_persist(): <protocol, caddr & netmask, 0, vaddr, vport> where
  //  - vport = the packet's port when it is the service's port (0 for the FTP port),
  //  - otherwise (port-zero and fwmark services) vport = 0, and a fwmark service keys on
  //    protocol IPPROTO_IP with the mark in place of the VIP.
  static ConnKey key_for(const VirtualService& svc, const PacketInfo& packet);

  // ip_vs_check_template(ct, NULL): usable while its destination is linked (available) and,
  // with sysctl expire_quiescent_template, has a non-zero weight. An unusable template is
  // invalidated (unhashed; it keeps its timer and its persistconns until it expires).
  static bool check(ConnectionTable& table, ConnHandle tpl, bool expire_quiescent_template);
};

}  // namespace lvs
