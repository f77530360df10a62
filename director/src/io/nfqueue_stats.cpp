#include "io/nfqueue_stats.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace lvs::io {

std::vector<NfqueueKernelStats> parse_nfqueue_proc(std::string_view text) {
  std::vector<NfqueueKernelStats> out;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);

    std::uint32_t fields[8];
    std::size_t count = 0;
    const char* p = line.data();
    const char* end = line.data() + line.size();
    while (count < 8) {
      while (p < end && *p == ' ') ++p;
      if (p == end) break;
      auto [next, ec] = std::from_chars(p, end, fields[count]);
      if (ec != std::errc{} || (next < end && *next != ' ')) break;
      p = next;
      ++count;
    }
    if (count < 8) continue;
    out.push_back(
        {fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7]});
  }
  return out;
}

std::optional<std::vector<NfqueueKernelStats>> read_nfqueue_proc(std::string& error) {
  static constexpr const char* kPath = "/proc/net/netfilter/nfnetlink_queue";
  std::ifstream in(kPath);
  if (!in) {
    error = std::string("cannot read ") + kPath + " (is nfnetlink_queue loaded?)";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_nfqueue_proc(text.str());
}

}  // namespace lvs::io
