// lvsadm: the ipvsadm-compatible command line of the director.
//
// `lvsadm -L ...` asks a running lvs-director over its control socket (io/control_client.h) and
// prints ipvsadm's exact listing (ctl/ipvsadm_format.h); `lvsadm neigh` shows and edits the
// director's neighbour table in `ip neigh` layout (ctl/neigh_format.h); `lvsadm simulate` is
// the offline simulator, which drives the daemon's own scheduler, service and connection-table
// code. The ipvsadm commands that change the table are refused clearly until the daemon takes
// them.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "base/guarded_main.h"
#include "config/config_file.h"
#include "config/loader.h"
#include "ctl/lvsadm_args.h"
#include "ctl/lvsadm_listing.h"
#include "ctl/neigh_format.h"
#include "io/control_client.h"
#include "sched/random_source.h"
#include "sim/event_script.h"
#include "sim/simulator.h"

namespace {

constexpr const char* kSimulateUsage =
    "usage: lvsadm simulate --config FILE [--events FILE] [--random-seed N]\n"
    "         offline dry run of the schedulers and connection table (no daemon, no root);\n"
    "         events are read from FILE or standard input ('-'), one per line:\n"
    "           new CLIENT_IP:PORT [SERVICE [DEST_IP:PORT]]   fin N   close N\n"
    "           add SERVICE RS_IP:PORT WEIGHT [-x N] [-y N]   edit (the same)\n"
    "           del SERVICE RS_IP:PORT   tick SECONDS\n"
    "         SERVICE is tcp/VIP:PORT, udp/VIP:PORT or fwm/MARK (default: the first service);\n"
    "         -x/-y (--u-threshold/--l-threshold) are ipvsadm's: omitted means 0, no limit\n"
    "         --random-seed N seeds twos' random draws (default 1); the same N as\n"
    "         `lvs-director --random-seed N` replays that director's twos decisions\n";

int simulate(int argc, char** argv) {
  std::string config_path;
  std::string events_path = "-";
  std::uint64_t random_seed = lvs::kDefaultRandomSeed;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> seed_text;
    if (arg == "--random-seed" && i + 1 < argc) {
      seed_text = argv[++i];
    } else if (arg.rfind("--random-seed=", 0) == 0) {
      seed_text = arg.substr(14);
    }
    if (seed_text) {
      auto seed = lvs::parse_random_seed(*seed_text);
      if (!seed) {
        std::fprintf(stderr,
                     "lvsadm simulate: --random-seed wants a decimal number from 0 to "
                     "18446744073709551615, not '%s'\n",
                     seed_text->c_str());
        return 2;
      }
      random_seed = *seed;
      continue;
    }
    if ((arg == "--config" || arg == "-c") && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = arg.substr(9);
    } else if ((arg == "--events" || arg == "-e") && i + 1 < argc) {
      events_path = argv[++i];
    } else if (arg.rfind("--events=", 0) == 0) {
      events_path = arg.substr(9);
    } else {
      std::fprintf(stderr, "lvsadm simulate: unknown argument '%s'\n%s", arg.c_str(),
                   kSimulateUsage);
      return 2;
    }
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "lvsadm simulate: --config FILE is required\n%s", kSimulateUsage);
    return 2;
  }

  auto loaded = lvs::config::load_director_config_file(config_path);
  if (auto* errors = std::get_if<std::vector<lvs::config::ConfigError>>(&loaded)) {
    for (const auto& e : *errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }

  // The events get the configuration's file rules: a regular file of at most 16 MiB (or
  // standard input, read up to the same cap), so /dev/zero or a FIFO cannot hang or exhaust us.
  // /dev/stdin is standard input by another name (`--events /dev/stdin` in a pipeline).
  const bool from_stdin = events_path == "-" || events_path == "/dev/stdin";
  const std::string events_name = from_stdin ? "<stdin>" : events_path;
  auto events_text = from_stdin ? lvs::config::read_config_fd(0, events_name)
                                : lvs::config::read_config_file(events_path);
  if (auto* failed = std::get_if<lvs::config::ReadError>(&events_text)) {
    std::fprintf(stderr, "lvsadm simulate: cannot read events file %s\n",
                 failed->to_string().c_str());
    return 1;
  }
  std::istringstream events_stream(std::get<std::string>(events_text));
  std::istream* events_in = &events_stream;
  auto parsed = lvs::sim::parse_event_script(*events_in);
  if (auto* errors = std::get_if<std::vector<lvs::sim::ScriptError>>(&parsed)) {
    for (const auto& e : *errors) {
      std::fprintf(stderr, "%s:%d: %s\n", events_name.c_str(), e.line, e.message.c_str());
    }
    std::fprintf(stderr, "lvsadm simulate: %zu error(s) in %s, nothing simulated\n", errors->size(),
                 events_name.c_str());
    return 1;
  }

  lvs::sim::Simulator simulator(std::get<lvs::config::DirectorConfig>(loaded), random_seed);
  int problems = simulator.run(std::get<std::vector<lvs::sim::ScriptEvent>>(parsed), std::cout,
                               std::cerr, events_name);
  std::cout.flush();
  return problems == 0 ? 0 : 1;
}

// ipvsadm's behaviour on a bad command line: the reason, a pointer to -h, exit 2.
int usage_error(const std::string& message) {
  std::fprintf(stderr, "lvsadm: %s\nTry `lvsadm -h' or 'lvsadm --help' for more information.\n",
               message.c_str());
  return 2;
}

int list(const lvs::ctl::Invocation& inv) {
  auto fetched = lvs::ctl::fetch_snapshot(inv.socket_path, lvs::ctl::command_for(inv.list));
  if (auto* err = std::get_if<lvs::ctl::ClientError>(&fetched)) {
    std::fprintf(stderr, "lvsadm: %s\n", err->message.c_str());
    return 1;
  }
  lvs::ctl::ListOutput out = lvs::ctl::render_list(inv.list, std::get<lvs::ctl::Snapshot>(fetched));
  std::fwrite(out.text.data(), 1, out.text.size(), stdout);
  if (!out.error.empty()) {
    std::fprintf(stderr, "%s\n", out.error.c_str());
    return 1;
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

// `lvsadm neigh ...`: one request; `show` prints the table as `ip neigh show`, the others print
// nothing on success (as ip neigh) and the director's reason on failure.
int neigh(const lvs::ctl::Invocation& inv) {
  auto answer = lvs::ctl::send_request(inv.socket_path, lvs::ctl::encode_request(inv.neigh));
  if (auto* err = std::get_if<lvs::ctl::ClientError>(&answer)) {
    std::fprintf(stderr, "lvsadm: %s\n", err->message.c_str());
    return 1;
  }
  auto decoded = lvs::ctl::decode_response(std::get<std::string>(answer));
  if (auto* err = std::get_if<lvs::ctl::ProtocolError>(&decoded)) {
    std::fprintf(stderr, "lvsadm: %s\n", err->message.c_str());
    return 1;
  }
  if (inv.neigh.command == lvs::ctl::Command::neigh_show) {
    const std::string text =
        lvs::ctl::format_neigh_show(std::get<lvs::ctl::Snapshot>(decoded).neighbours);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int run(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "simulate") == 0) return simulate(argc - 2, argv + 2);

  auto parsed = lvs::ctl::parse_lvsadm_args(std::vector<std::string>(argv + 1, argv + argc));
  if (auto* err = std::get_if<lvs::ctl::UsageError>(&parsed)) return usage_error(err->message);
  const auto& inv = std::get<lvs::ctl::Invocation>(parsed);
  switch (inv.action) {
    case lvs::ctl::Invocation::Action::help:
      std::fputs(lvs::ctl::kLvsadmUsage, stdout);
      return 0;
    case lvs::ctl::Invocation::Action::unsupported:
      std::fprintf(stderr,
                   "lvsadm: %s is not supported yet: change the director's configuration file "
                   "and reload it (SIGHUP)\n",
                   inv.unsupported.c_str());
      return 2;
    case lvs::ctl::Invocation::Action::list:
      return list(inv);
    case lvs::ctl::Invocation::Action::neigh:
      return neigh(inv);
  }
  return 2;
}

}  // namespace

// base/guarded_main.h: anything that escapes ends as one line and exit 1, never an abort.
int main(int argc, char** argv) {
  return lvs::base::guarded_main("lvsadm", [&] { return run(argc, argv); });
}
