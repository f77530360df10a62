// The one YAML document of a configuration file, parsed with libyaml into a small read-only tree
// under budgets, so that no input can make the loader run away.
//
// Why libyaml and not yaml-cpp (which the loader used until issue 12): yaml-cpp 0.7's LoadAll
// never terminates on a token that SingleDocParser::HandleNode does not consume (a ',' outside
// a flow collection, yaml-cpp issue #1040): every turn of its loop yields another empty document,
// so `printf ',\n'` grows the process by ~330 MB/s until std::bad_alloc. Its scanner is also slow
// (4.6 s for a 9 MB file of 200k real servers, libyaml 0.3 s). libyaml reports that ',' as a
// syntax error, is a state machine (no recursion, so no stack overflow on deep nesting), and is
// fuzzed continuously upstream (OSS-Fuzz). What it does not bound, we bound while building:
//   - nodes in the tree (kMaxYamlNodes): a 16 MiB `[a,a,a,...]` would be 8M nodes;
//   - nesting depth (kMaxYamlDepth): a configuration is at most ~6 levels deep;
//   - nodes reachable through aliases (kMaxYamlExpandedNodes): `*a` shares a node rather than
//     copying it, but a reader walking `services: [*s, *s, ...]` with `&s` holding a list of
//     `*r` walks the product ("billion laughs"); the expanded count is computed as the tree is
//     built (each alias adds its anchor's expanded size) and refused before anything walks it.
// Each limit is checked before the node it would add is allocated; a violation is one error
// with the mark where the limit was crossed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace lvs::config {

inline constexpr std::size_t kMaxYamlNodes = 4'000'000;  // 200k real servers ~ 1.0-2.6M nodes
inline constexpr std::size_t kMaxYamlDepth = 64;
inline constexpr std::uint64_t kMaxYamlExpandedNodes = 8'000'000;

// The budgets, as one value (tests pass small ones; the loader uses the defaults).
struct YamlLimits {
  std::size_t max_nodes = kMaxYamlNodes;
  std::size_t max_depth = kMaxYamlDepth;
  std::uint64_t max_expanded_nodes = kMaxYamlExpandedNodes;
};

// A position in the text, 0-based (as yaml-cpp's YAML::Mark and libyaml's yaml_mark_t);
// line -1 means "unknown".
struct YamlMark {
  int pos = -1;
  int line = -1;
  int column = -1;
  bool is_null() const { return line < 0; }
};

enum class YamlType : std::uint8_t { Null, Scalar, Sequence, Map };

struct YamlNodeData;

// A read-only handle on a node of a YamlDocument (valid while the document lives). The method
// names are yaml-cpp's, which the loader was written against. A default handle is a null node.
class YamlDocument;

class YamlNode {
 public:
  YamlNode() = default;
  YamlNode(const YamlDocument* document, const YamlNodeData* data)
      : document_(document), data_(data) {}

  YamlType Type() const;
  bool IsNull() const { return Type() == YamlType::Null; }
  bool IsScalar() const { return Type() == YamlType::Scalar; }
  bool IsSequence() const { return Type() == YamlType::Sequence; }
  bool IsMap() const { return Type() == YamlType::Map; }
  // The text of a scalar as written (unquoted, escapes resolved); "" for anything else.
  const std::string& Scalar() const;
  // As yaml-cpp: "?" for an untagged plain scalar or collection, "!" for an untagged quoted
  // scalar, else the resolved tag ("tag:yaml.org,2002:int" for `!!int`).
  const std::string& Tag() const;
  YamlMark Mark() const;

  // A sequence's items (empty for anything else).
  std::vector<YamlNode> items() const;
  // A map's entries in document order, duplicates kept (empty for anything else).
  std::vector<std::pair<YamlNode, YamlNode>> entries() const;

 private:
  const YamlDocument* document_ = nullptr;
  const YamlNodeData* data_ = nullptr;
};

// 64 bytes: the node budget times this is the tree's worst case (4M nodes, 256 MB).
struct YamlNodeData {
  YamlType type = YamlType::Null;
  bool quoted = false;            // a scalar written with quotes or as a block scalar
  std::uint32_t tag = 0;          // index into YamlDocument::tags_; 0: untagged
  std::uint32_t first_child = 0;  // index into YamlDocument::children_ (map: key, value, ...)
  std::uint32_t child_count = 0;
  YamlMark mark;
  std::string scalar;
};

struct YamlSyntaxError {
  YamlMark mark;
  std::string message;  // one line, e.g. "YAML syntax error: did not find expected key ..."
};

// The parsed document, or nothing (the file holds no document), or the first error.
class YamlDocument {
 public:
  enum class Outcome { Document, Empty, MoreThanOne, Error };

  YamlDocument() = default;
  YamlDocument(const YamlDocument&) = delete;
  YamlDocument& operator=(const YamlDocument&) = delete;
  YamlDocument(YamlDocument&&) = default;  // before any handle exists (handles point at it)
  YamlDocument& operator=(YamlDocument&&) = default;

  static YamlDocument parse(const std::string& text, const YamlLimits& limits = {});

  Outcome outcome() const { return outcome_; }
  YamlNode root() const { return YamlNode(this, root_); }
  // Error / MoreThanOne: where and why.
  const YamlSyntaxError& error() const { return error_; }

  std::size_t node_count() const { return nodes_.size(); }

 private:
  friend class YamlNode;
  friend class YamlTreeBuilder;
  Outcome outcome_ = Outcome::Empty;
  const YamlNodeData* root_ = nullptr;
  YamlSyntaxError error_;
  std::deque<YamlNodeData> nodes_;             // stable addresses
  std::vector<const YamlNodeData*> children_;  // each collection's children, contiguous
  std::vector<std::string> tags_{""};          // explicit tags, rare; [0] is "untagged"
};

}  // namespace lvs::config
