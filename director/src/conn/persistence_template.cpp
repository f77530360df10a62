#include "conn/persistence_template.h"

namespace lvs {

ConnKey PersistenceTemplate::key_for(const VirtualService& svc, const PacketInfo& packet) {
  const config::ServiceKey& skey = svc.key();
  const bool fwmark = skey.protocol == config::ServiceProtocol::Fwmark;
  const std::uint16_t svc_port = fwmark ? 0 : skey.vip.port;  // svc->port is 0 for fwmark
  ConnKey key;
  key.protocol = packet.protocol;
  key.caddr = packet.saddr & svc.netmask();
  key.cport = 0;
  key.vaddr = packet.daddr;
  key.vport = 0;
  if (packet.dport == svc_port) {
    if (svc_port != kFtpPort) key.vport = packet.dport;
  } else if (fwmark) {
    key.protocol = kProtoIp;
    key.vaddr = skey.fwmark;
  }
  return key;
}

bool PersistenceTemplate::check(ConnectionTable& table, ConnHandle tpl,
                                bool expire_quiescent_template) {
  const Destination* dest = table.destination(tpl);
  if (dest != nullptr && dest->available && !(expire_quiescent_template && dest->weight == 0)) {
    return true;
  }
  table.invalidate_template(tpl);
  return false;
}

}  // namespace lvs
