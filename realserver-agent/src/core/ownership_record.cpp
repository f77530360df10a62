#include "core/ownership_record.h"

#include <algorithm>
#include <charconv>

namespace lvs::agent {
namespace {

constexpr std::string_view kMagic = "lvs-agent v1";

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const auto pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

std::string join_vips(const std::vector<Ipv4>& vips) {
  if (vips.empty()) return "-";
  std::string out;
  for (Ipv4 v : vips) {
    if (!out.empty()) out += ',';
    out += format_ipv4(v);
  }
  return out;
}

std::string join_sysctls(const std::vector<SysctlSetting>& sysctls) {
  if (sysctls.empty()) return "-";
  std::string out;
  for (const auto& s : sysctls) {
    if (!out.empty()) out += ',';
    out += s.interface + "." + s.name + ":" + std::to_string(s.value);
  }
  return out;
}

std::string compose(const std::string& vips, const std::string& sysctls, bool device_created) {
  return std::string(kMagic) + " vips=" + vips + " sysctls=" + sysctls +
         " device=" + (device_created ? "created" : "-");
}

}  // namespace

void OwnershipRecord::note_vip_added(Ipv4 vip) {
  if (std::find(vips_added.begin(), vips_added.end(), vip) == vips_added.end()) {
    vips_added.push_back(vip);
  }
}

void OwnershipRecord::note_sysctl_changed(const SysctlSetting& setting, std::uint32_t original) {
  for (const auto& s : sysctls_before) {
    if (s.interface == setting.interface && s.name == setting.name) return;
  }
  sysctls_before.push_back({setting.interface, setting.name, original});
}

std::string encode_ownership_record(const OwnershipRecord& record, std::size_t max_length) {
  const std::string vips = join_vips(record.vips_added);
  std::string text =
      compose(vips, record.sysctls_complete ? join_sysctls(record.sysctls_before) : "?",
              record.device_created);
  if (text.size() <= max_length) return text;
  // "?" = originals unknown: --cleanup leaves the sysctls as they are.
  text = compose(vips, "?", record.device_created);
  if (text.size() <= max_length) return text;
  std::vector<Ipv4> some = record.vips_added;
  while (!some.empty() &&
         compose(join_vips(some), "?", record.device_created).size() > max_length) {
    some.pop_back();
  }
  return compose(join_vips(some), "?", record.device_created);
}

std::optional<OwnershipRecord> decode_ownership_record(std::string_view text) {
  if (!text.starts_with(kMagic)) return std::nullopt;
  text.remove_prefix(kMagic.size());
  OwnershipRecord r;
  bool saw_vips = false, saw_sysctls = false, saw_device = false;
  for (auto field : split(text, ' ')) {
    if (field.empty()) continue;
    const auto eq = field.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const auto key = field.substr(0, eq);
    const auto value = field.substr(eq + 1);
    if (key == "vips") {
      saw_vips = true;
      if (value == "-") continue;
      for (auto v : split(value, ',')) {
        auto ip = parse_ipv4(v);
        if (!ip) return std::nullopt;
        r.vips_added.push_back(*ip);
      }
    } else if (key == "sysctls") {
      saw_sysctls = true;
      if (value == "-") continue;
      if (value == "?") {
        r.sysctls_complete = false;
        continue;
      }
      for (auto s : split(value, ',')) {
        // IFACE.NAME:VALUE; the interface may itself hold dots, the name never does.
        const auto colon = s.rfind(':');
        const auto dot = s.rfind('.', colon);
        if (colon == std::string_view::npos || dot == std::string_view::npos || dot == 0) {
          return std::nullopt;
        }
        std::uint32_t v = 0;
        const auto digits = s.substr(colon + 1);
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (ec != std::errc{} || p != digits.data() + digits.size() || digits.empty()) {
          return std::nullopt;
        }
        r.sysctls_before.push_back(
            {std::string(s.substr(0, dot)), std::string(s.substr(dot + 1, colon - dot - 1)), v});
      }
    } else if (key == "device") {
      saw_device = true;
      r.device_created = value == "created";
    } else {
      return std::nullopt;
    }
  }
  if (!saw_vips || !saw_sysctls || !saw_device) return std::nullopt;
  return r;
}

}  // namespace lvs::agent
