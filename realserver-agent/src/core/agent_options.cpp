#include "core/agent_options.h"

namespace lvs::agent {

std::variant<AgentOptions, std::string> parse_agent_options(const std::vector<std::string>& args) {
  AgentOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--config") {
      if (i + 1 >= args.size()) return std::string("--config needs a FILE");
      o.config_path = args[++i];
    } else if (a.starts_with("--config=")) {
      o.config_path = a.substr(9);
    } else if (a == "--check") {
      o.check_only = true;
    } else if (a == "--cleanup") {
      o.cleanup = true;
    } else if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    } else {
      return "unknown argument '" + a + "'";
    }
  }
  if (o.config_path.empty()) return std::string("--config FILE is required");
  if (o.check_only && o.cleanup) return std::string("--check and --cleanup exclude each other");
  return o;
}

}  // namespace lvs::agent
