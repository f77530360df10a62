#include "config/yaml_document.h"

#include <yaml.h>

#include <memory>
#include <unordered_map>
#include <utility>

namespace lvs::config {
static_assert(sizeof(YamlNodeData) == 64, "the node budget's memory bound assumes 64-byte nodes");

namespace {

const std::string kEmpty;
const std::string kPlainTag = "?";
const std::string kQuotedTag = "!";

YamlMark to_mark(const yaml_mark_t& mark) {
  YamlMark out;
  out.pos = static_cast<int>(mark.index);
  out.line = static_cast<int>(mark.line);
  out.column = static_cast<int>(mark.column);
  return out;
}

// The mark of byte `offset` (libyaml's reader errors give an offset, not a mark).
YamlMark mark_at_offset(const std::string& text, std::size_t offset) {
  YamlMark mark;
  mark.pos = static_cast<int>(offset);
  mark.line = 0;
  mark.column = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++mark.line;
      mark.column = 0;
    } else {
      ++mark.column;
    }
  }
  return mark;
}

// As yaml-cpp's IsNullString(): an untagged plain scalar spelling null is a null node.
bool is_null_spelling(const std::string& text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

struct ParserDeleter {
  void operator()(yaml_parser_t* parser) const {
    yaml_parser_delete(parser);
    delete parser;
  }
};

struct EventGuard {
  yaml_event_t event;
  ~EventGuard() { yaml_event_delete(&event); }
};

}  // namespace

YamlType YamlNode::Type() const { return data_ == nullptr ? YamlType::Null : data_->type; }

const std::string& YamlNode::Scalar() const {
  return data_ != nullptr && data_->type == YamlType::Scalar ? data_->scalar : kEmpty;
}

const std::string& YamlNode::Tag() const {
  if (data_ == nullptr) return kEmpty;
  if (data_->tag != 0) return document_->tags_[data_->tag];
  return data_->quoted ? kQuotedTag : kPlainTag;
}

YamlMark YamlNode::Mark() const { return data_ == nullptr ? YamlMark{} : data_->mark; }

std::vector<YamlNode> YamlNode::items() const {
  std::vector<YamlNode> out;
  if (data_ == nullptr || data_->type != YamlType::Sequence) return out;
  out.reserve(data_->child_count);
  for (std::size_t i = 0; i < data_->child_count; ++i) {
    out.emplace_back(document_, document_->children_[data_->first_child + i]);
  }
  return out;
}

std::vector<std::pair<YamlNode, YamlNode>> YamlNode::entries() const {
  std::vector<std::pair<YamlNode, YamlNode>> out;
  if (data_ == nullptr || data_->type != YamlType::Map) return out;
  out.reserve(data_->child_count / 2);
  for (std::size_t i = 0; i + 1 < data_->child_count; i += 2) {
    out.emplace_back(YamlNode(document_, document_->children_[data_->first_child + i]),
                     YamlNode(document_, document_->children_[data_->first_child + i + 1]));
  }
  return out;
}

// Turns libyaml's events into the document's nodes, checking the budgets before each node.
class YamlTreeBuilder {
 public:
  YamlTreeBuilder(YamlDocument& document, const YamlLimits& limits)
      : doc_(document), limits_(limits) {}

  // False after recording an error (doc_.error_).
  bool on_event(const yaml_event_t& event, bool& done) {
    switch (event.type) {
      case YAML_DOCUMENT_START_EVENT:
        if (documents_++ > 0) {
          doc_.outcome_ = YamlDocument::Outcome::MoreThanOne;
          doc_.error_ = {to_mark(event.start_mark),
                         "only one YAML document is allowed; remove the second '---' document"};
          return false;
        }
        return true;
      case YAML_SCALAR_EVENT: {
        const auto& s = event.data.scalar;
        YamlNodeData* node = new_node(event);
        if (node == nullptr) return false;
        node->tag = intern_tag(s.tag);
        node->quoted = s.style != YAML_PLAIN_SCALAR_STYLE;
        node->scalar.assign(reinterpret_cast<const char*>(s.value), s.length);
        if (node->tag == 0 && !node->quoted && is_null_spelling(node->scalar)) {
          node->type = YamlType::Null;
          node->scalar.clear();
        } else {
          node->type = YamlType::Scalar;
        }
        return finish(node, 1, s.anchor, event);
      }
      case YAML_SEQUENCE_START_EVENT:
        return open(event, YamlType::Sequence, event.data.sequence_start.tag,
                    event.data.sequence_start.anchor);
      case YAML_MAPPING_START_EVENT:
        return open(event, YamlType::Map, event.data.mapping_start.tag,
                    event.data.mapping_start.anchor);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        return close(event);
      case YAML_ALIAS_EVENT: {
        const char* name = reinterpret_cast<const char*>(event.data.alias.anchor);
        auto found = anchors_.find(name);
        if (found == anchors_.end()) {
          return fail(event.start_mark, "YAML error: unknown alias *" + std::string(name) +
                                            " (no earlier, complete node has anchor &" +
                                            std::string(name) + ")");
        }
        return add_child(found->second.first, found->second.second, event);
      }
      case YAML_STREAM_END_EVENT:
        done = true;
        return true;
      default:
        return true;
    }
  }

  bool fail(const yaml_mark_t& mark, std::string message) {
    doc_.outcome_ = YamlDocument::Outcome::Error;
    doc_.error_ = {to_mark(mark), std::move(message)};
    return false;
  }

 private:
  struct Open {
    YamlNodeData* node;
    std::size_t pending_start;  // its children in pending_
    std::uint64_t expanded;     // nodes reachable from it, aliases expanded
    std::string anchor;         // registered when it closes
  };

  // 0 for no tag; tags are few (a configuration has none), so a linear search is enough.
  std::uint32_t intern_tag(const yaml_char_t* tag) {
    if (tag == nullptr) return 0;
    const std::string text = reinterpret_cast<const char*>(tag);
    for (std::size_t i = 1; i < doc_.tags_.size() && i < 64; ++i) {
      if (doc_.tags_[i] == text) return static_cast<std::uint32_t>(i);
    }
    doc_.tags_.push_back(text);
    return static_cast<std::uint32_t>(doc_.tags_.size() - 1);
  }

  YamlNodeData* new_node(const yaml_event_t& event) {
    if (doc_.nodes_.size() >= limits_.max_nodes) {
      fail(event.start_mark, "YAML error: more than " + std::to_string(limits_.max_nodes) +
                                 " nodes; a configuration is far smaller");
      return nullptr;
    }
    YamlNodeData& node = doc_.nodes_.emplace_back();
    node.mark = to_mark(event.start_mark);
    return &node;
  }

  bool open(const yaml_event_t& event, YamlType type, const yaml_char_t* tag,
            const yaml_char_t* anchor) {
    if (stack_.size() >= limits_.max_depth) {
      return fail(event.start_mark, "YAML error: nested deeper than " +
                                        std::to_string(limits_.max_depth) +
                                        " levels; a configuration needs a handful");
    }
    YamlNodeData* node = new_node(event);
    if (node == nullptr) return false;
    node->type = type;
    node->tag = intern_tag(tag);
    stack_.push_back(
        {node, pending_.size(), 1, anchor != nullptr ? reinterpret_cast<const char*>(anchor) : ""});
    return true;
  }

  bool close(const yaml_event_t& event) {
    Open open = std::move(stack_.back());
    stack_.pop_back();
    open.node->first_child = static_cast<std::uint32_t>(doc_.children_.size());
    open.node->child_count = static_cast<std::uint32_t>(pending_.size() - open.pending_start);
    doc_.children_.insert(doc_.children_.end(), pending_.begin() + open.pending_start,
                          pending_.end());
    pending_.resize(open.pending_start);
    if (!open.anchor.empty()) anchors_[open.anchor] = {open.node, open.expanded};
    return add_child(open.node, open.expanded, event);
  }

  bool finish(YamlNodeData* node, std::uint64_t expanded, const yaml_char_t* anchor,
              const yaml_event_t& event) {
    if (anchor != nullptr) anchors_[reinterpret_cast<const char*>(anchor)] = {node, expanded};
    return add_child(node, expanded, event);
  }

  // `node` (reachable size `expanded`) becomes the next child of the open collection, or the
  // root when none is open.
  bool add_child(const YamlNodeData* node, std::uint64_t expanded, const yaml_event_t& event) {
    if (stack_.empty()) {
      doc_.root_ = node;
      return true;
    }
    Open& parent = stack_.back();
    parent.expanded += expanded;
    if (parent.expanded > limits_.max_expanded_nodes) {
      return fail(event.start_mark,
                  "YAML error: aliases expand this document to more than " +
                      std::to_string(limits_.max_expanded_nodes) +
                      " nodes (an alias bomb?); write the values out or use fewer aliases");
    }
    pending_.push_back(node);
    return true;
  }

  YamlDocument& doc_;
  const YamlLimits limits_;
  int documents_ = 0;
  std::vector<Open> stack_;
  std::vector<const YamlNodeData*> pending_;
  std::unordered_map<std::string, std::pair<const YamlNodeData*, std::uint64_t>> anchors_;
};

YamlDocument YamlDocument::parse(const std::string& text, const YamlLimits& limits) {
  YamlDocument doc;
  std::unique_ptr<yaml_parser_t, ParserDeleter> parser(new yaml_parser_t);
  if (yaml_parser_initialize(parser.get()) == 0) {
    doc.outcome_ = Outcome::Error;
    doc.error_ = {YamlMark{0, 0, 0}, "YAML error: out of memory"};
    return doc;
  }
  yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  YamlTreeBuilder builder(doc, limits);
  for (bool done = false; !done;) {
    EventGuard event{};
    if (yaml_parser_parse(parser.get(), &event.event) == 0) {
      const yaml_parser_t& p = *parser;
      doc.outcome_ = Outcome::Error;
      std::string message = "YAML syntax error: ";
      message += p.problem != nullptr ? p.problem : "unknown error";
      YamlMark mark = to_mark(p.problem_mark);
      if (p.error == YAML_READER_ERROR) {
        // Not UTF-8 (or a control character): libyaml gives the byte offset.
        mark = mark_at_offset(text, p.problem_offset);
        static constexpr char kHex[] = "0123456789abcdef";
        message += " (";
        if (p.problem_value >= 0 && p.problem_value <= 0xff) {
          message += std::string("byte 0x") + kHex[p.problem_value >> 4] +
                     kHex[p.problem_value & 0xf] + " ";
        }
        message += "at offset " + std::to_string(p.problem_offset) + ")";
      } else if (p.error == YAML_MEMORY_ERROR) {
        message = "YAML error: out of memory";
      } else if (p.context != nullptr) {
        message += " (" + std::string(p.context) + " at line " +
                   std::to_string(p.context_mark.line + 1) + ")";
      }
      // libyaml's messages are fixed one-line strings; keep every error on one line anyway.
      for (char& c : message) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      doc.error_ = {mark, std::move(message)};
      return doc;
    }
    if (!builder.on_event(event.event, done)) return doc;
  }
  if (doc.root_ == nullptr || doc.root_->type == YamlType::Null) {
    doc.outcome_ = Outcome::Empty;
  } else {
    doc.outcome_ = Outcome::Document;
  }
  return doc;
}

}  // namespace lvs::config
