// lvs-director --config FILE [--check] [--random-seed N]
//
// --check validates the configuration and exits. Without it the daemon opens the packet path
// (NFQUEUE in, MAC rewrite out, daemon/director.h), installs its nftables table and runs until
// SIGTERM/SIGINT; SIGHUP reloads the file. Errors are one line each, exit 1. --random-seed N
// fixes the seed of the twos scheduler's random draws (default: drawn from the OS at start;
// logged either way), so that `lvsadm simulate --random-seed N` replays the same decisions.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <variant>

#include "base/guarded_main.h"
#include "config/loader.h"
#include "daemon/director.h"
#include "sched/random_source.h"
#include "service/service_table.h"

namespace {

int usage(const char* why) {
  if (why != nullptr) std::fprintf(stderr, "lvs-director: %s\n", why);
  std::fprintf(stderr,
               "usage: lvs-director --config FILE [--check] [--random-seed N]\n"
               "  --config FILE       the director's configuration (SIGHUP re-reads it)\n"
               "  --check             validate the configuration and exit\n"
               "  --random-seed N     seed twos' random draws with N (0 to 2^64-1) instead of\n"
               "                      a seed from the OS; `lvsadm simulate --random-seed N`\n"
               "                      then replays the director's twos decisions\n");
  return 2;
}

int run(int argc, char** argv) {
  std::string config_path;
  bool check_only = false;
  std::optional<std::uint64_t> random_seed;
  for (int i = 1; i < argc; ++i) {
    const char* seed_text = nullptr;
    if (std::strcmp(argv[i], "--random-seed") == 0 && i + 1 < argc) {
      seed_text = argv[++i];
    } else if (std::strncmp(argv[i], "--random-seed=", 14) == 0) {
      seed_text = argv[i] + 14;
    }
    if (seed_text != nullptr) {
      random_seed = lvs::parse_random_seed(seed_text);
      if (!random_seed) {
        return usage((std::string("--random-seed wants a decimal number from 0 to "
                                  "18446744073709551615, not '") +
                      seed_text + "'")
                         .c_str());
      }
      continue;
    }
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_path = argv[++i];
    } else if (std::strncmp(argv[i], "--config=", 9) == 0) {
      config_path = argv[i] + 9;
    } else if (std::strcmp(argv[i], "--check") == 0) {
      check_only = true;
    } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      usage(nullptr);
      return 0;
    } else {
      return usage((std::string("unknown argument '") + argv[i] + "'").c_str());
    }
  }
  if (config_path.empty()) return usage("--config FILE is required");

  auto loaded = lvs::config::load_director_config_file(config_path);
  if (auto* errors = std::get_if<std::vector<lvs::config::ConfigError>>(&loaded)) {
    for (const auto& e : *errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "lvs-director: %s: %zu error(s), configuration rejected\n",
                 config_path.c_str(), errors->size());
    return 1;
  }
  const auto& config = std::get<lvs::config::DirectorConfig>(loaded);

  // Build the services exactly as the daemon would, so --check exercises the same code.
  lvs::ServiceTable services;
  services.apply(config);
  std::size_t real_servers = 0;
  for (const auto& svc : services.services()) real_servers += svc->destinations().size();

  if (check_only) {
    std::printf("%s: OK (%zu services, %zu real servers)\n", config_path.c_str(),
                services.services().size(), real_servers);
    return 0;
  }
  auto director = lvs::Director::open(config_path, config, random_seed);
  if (auto* error = std::get_if<std::string>(&director)) {
    std::fprintf(stderr, "lvs-director: cannot start: %s\n", error->c_str());
    return 1;
  }
  return std::get<std::unique_ptr<lvs::Director>>(director)->run();
}

}  // namespace

// base/guarded_main.h: anything that escapes ends as one line and exit 1, never an abort.
int main(int argc, char** argv) {
  return lvs::base::guarded_main("lvs-director", [&] { return run(argc, argv); });
}
