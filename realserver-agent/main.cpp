// lvs-agent --config FILE [--check] [--cleanup]
//
// The real-server agent (realserver-agent/README.md): holds the VIPs on the VIP device, keeps
// ARP for them suppressed (sysctls + an nftables arp table) and repairs drift until SIGTERM.
// --check validates the configuration and exits; --cleanup removes what the agent added.
// Errors are one line each, exit 1; a usage error exits 2.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <variant>
#include <vector>

#include "base/guarded_main.h"
#include "config/loader.h"
#include "core/agent_options.h"
#include "daemon/agent_daemon.h"

namespace {

int run(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = lvs::agent::parse_agent_options(args);
  if (auto* why = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "lvs-agent: %s\n%s\n", why->c_str(), lvs::agent::kAgentUsage);
    return 2;
  }
  const auto& options = std::get<lvs::agent::AgentOptions>(parsed);
  if (options.help) {
    std::printf("%s\n", lvs::agent::kAgentUsage);
    return 0;
  }

  auto loaded = lvs::config::load_agent_config_file(options.config_path);
  if (auto* errors = std::get_if<std::vector<lvs::config::ConfigError>>(&loaded)) {
    for (const auto& e : *errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "lvs-agent: %s: %zu error(s), configuration rejected\n",
                 options.config_path.c_str(), errors->size());
    return 1;
  }
  const auto& config = std::get<lvs::config::AgentConfig>(loaded);
  if (options.check_only) {
    std::printf("%s: OK (%zu VIPs on %s, %zu interfaces)\n", options.config_path.c_str(),
                config.vips.size(), config.vip_device.c_str(), config.interfaces.size());
    return 0;
  }
  return options.cleanup ? lvs::agent::run_cleanup(config) : lvs::agent::run_agent(config);
}

}  // namespace

// base/guarded_main.h: anything that escapes ends as one line and exit 1, never an abort.
int main(int argc, char** argv) {
  return lvs::base::guarded_main("lvs-agent", [&] { return run(argc, argv); });
}
