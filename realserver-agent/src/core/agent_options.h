// The command line (DESIGN.md §2, fixed): lvs-agent --config FILE [--check] [--cleanup].
// Pure parsing, so the daemon's entry point stays a few lines.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace lvs::agent {

struct AgentOptions {
  std::string config_path;
  bool check_only = false;  // --check: validate the config and exit
  bool cleanup = false;     // --cleanup: remove what a previous run added, then exit
  bool help = false;
};

inline constexpr const char* kAgentUsage = "usage: lvs-agent --config FILE [--check] [--cleanup]";

// Either the options or one line saying what is wrong (usage is printed by the caller).
std::variant<AgentOptions, std::string> parse_agent_options(const std::vector<std::string>& args);

}  // namespace lvs::agent
