// parse_ipv4_packet() on hostile input. Every buffer is placed flush against an inaccessible
// page (after it, and in a second layout before it), so a read out of bounds faults even in a
// Release build without sanitizers; CI also runs this under ASan/UBSan. Every outcome is compared
// with a separate reference reading of the same rules, and every accepted packet is checked
// against its own bytes. Valid packets generated at random must all be accepted, field for field.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "packet/internet_checksum.h"
#include "packet/ipv4_parser.h"
#include "packet/parse_error.h"

namespace lvs {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr int kRandomBuffers = 100'000;
constexpr int kMutatedPackets = 100'000;
constexpr int kValidPackets = 20'000;
constexpr std::uint64_t kSeed = 0x1b5d1ec7;  // fixed: a failure reproduces

// Two pages: one readable and writable, one PROT_NONE. Data copied in sits flush against the
// PROT_NONE page, so the first byte past the end (or before the start) is unreadable.
class GuardedBuffer {
 public:
  enum class Guard { After, Before };

  explicit GuardedBuffer(Guard guard) : guard_(guard) {
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    void* mem =
        mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return;
    base_ = static_cast<std::uint8_t*>(mem);
    std::uint8_t* guard_page = guard_ == Guard::After ? base_ + page_ : base_;
    if (mprotect(guard_page, page_, PROT_NONE) != 0) {
      munmap(base_, 2 * page_);
      base_ = nullptr;
    }
  }
  ~GuardedBuffer() {
    if (base_ != nullptr) munmap(base_, 2 * page_);
  }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  bool valid() const { return base_ != nullptr; }

  std::span<const std::uint8_t> place(const Bytes& bytes) {
    std::uint8_t* at = guard_ == Guard::After ? base_ + page_ - bytes.size() : base_ + page_;
    if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
    return {at, bytes.size()};
  }

 private:
  Guard guard_;
  std::size_t page_ = 0;
  std::uint8_t* base_ = nullptr;
};

std::uint16_t be16(const Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] * 256 + b[at + 1]);
}

// The rules of ipv4_parser.h read again, written independently of the parser: whole-buffer
// indexing on a vector, lengths derived first, then the checks in the documented order.
std::optional<ParseError> reference_outcome(const Bytes& b, bool verify) {
  const std::size_t n = b.size();
  if (n < 20) return ParseError::Truncated;
  if (b[0] / 16 != 4) return ParseError::NotIpv4;
  const std::size_t ihl = (b[0] % 16) * 4;
  if (ihl < 20 || ihl > n) return ParseError::BadHeaderLength;
  const std::size_t total = be16(b, 2);
  if (total < ihl || total > n) return ParseError::BadTotalLength;
  if (verify) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < ihl; i += 2) sum += be16(b, i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    if (sum != 0xffff) return ParseError::BadChecksum;
  }
  if (b[9] != 6 && b[9] != 17) return ParseError::UnsupportedProtocol;
  const std::uint16_t frag = be16(b, 6);
  if (frag % 0x2000 != 0) return ParseError::Fragment;
  const bool mf = (frag / 0x2000) % 2 == 1;
  const std::size_t payload = total - ihl;
  if (b[9] == 6) {
    if (payload < 20) return ParseError::TruncatedL4;
    const std::size_t doff = (b[ihl + 12] / 16) * 4;
    if (doff < 20) return ParseError::BadTcpHeaderLength;
    if (doff > payload) return ParseError::TruncatedL4;
  } else {
    if (payload < 8) return ParseError::TruncatedL4;
    const std::size_t ulen = be16(b, ihl + 4);
    if (ulen < 8) return ParseError::BadUdpLength;
    if (!mf && ulen > payload) return ParseError::BadUdpLength;
  }
  return std::nullopt;
}

std::string name_of(const std::optional<ParseError>& e) {
  return e ? std::string(parse_error_name(*e)) : "ok";
}

std::string hex(const Bytes& b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::uint8_t c : b) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

// Tallies outcomes so the test can show it reached every reason, not just the first checks.
struct Coverage {
  std::array<int, kParseErrorCount> errors{};
  int accepted = 0;
  void add(const ParseResult& r) {
    if (r.ok()) {
      ++accepted;
    } else {
      ++errors[static_cast<std::size_t>(*r.error)];
    }
  }
};

// Parses `bytes` in both guard layouts with and without checksum verification; compares with the
// reference and checks an accepted packet against its bytes. Returns false on the first mismatch.
bool check_one(const Bytes& bytes, GuardedBuffer& after, GuardedBuffer& before,
               Coverage& coverage) {
  for (bool verify : {false, true}) {
    const std::optional<ParseError> expected = reference_outcome(bytes, verify);
    for (GuardedBuffer* guarded : {&after, &before}) {
      const ParseResult r =
          parse_ipv4_packet(guarded->place(bytes), ParseOptions{.verify_header_checksum = verify});
      coverage.add(r);
      if (r.error != expected) {
        ADD_FAILURE() << "verify=" << verify << " got " << name_of(r.error) << ", reference says "
                      << name_of(expected) << " for " << hex(bytes);
        return false;
      }
      if (!r.ok()) continue;
      const ParsedPacket& p = r.packet;
      const std::size_t l4 = p.l4_offset;
      const bool consistent =
          l4 >= 20 && l4 % 4 == 0 && l4 == (bytes[0] & 15u) * 4u &&
          p.ip_total_length == be16(bytes, 2) && p.ip_total_length <= bytes.size() &&
          l4 + (p.info.protocol == kProtoTcp ? 20u : 8u) <= p.ip_total_length &&
          p.info.protocol == bytes[9] &&
          p.info.saddr == (std::uint32_t{be16(bytes, 12)} << 16 | be16(bytes, 14)) &&
          p.info.daddr == (std::uint32_t{be16(bytes, 16)} << 16 | be16(bytes, 18)) &&
          p.info.sport == be16(bytes, l4) && p.info.dport == be16(bytes, l4 + 2) &&
          p.more_fragments == ((bytes[6] & 0x20) != 0) &&
          (p.info.protocol == kProtoTcp
               ? (p.tcp_flags.fin == ((bytes[l4 + 13] & 0x01) != 0) &&
                  p.tcp_flags.syn == ((bytes[l4 + 13] & 0x02) != 0) &&
                  p.tcp_flags.rst == ((bytes[l4 + 13] & 0x04) != 0) &&
                  p.tcp_flags.ack == ((bytes[l4 + 13] & 0x10) != 0))
               : !(p.tcp_flags.fin || p.tcp_flags.syn || p.tcp_flags.rst || p.tcp_flags.ack));
      if (!consistent) {
        ADD_FAILURE() << "accepted packet disagrees with its bytes: " << hex(bytes);
        return false;
      }
    }
  }
  return true;
}

// A valid packet: what the generator put in, and the bytes.
struct ValidPacket {
  PacketInfo info;
  std::uint8_t tcp_flag_byte = 0;
  std::size_t ip_header_length = 20;
  std::size_t total_length = 0;
  bool more_fragments = false;
  Bytes bytes;
};

ValidPacket random_valid_packet(std::mt19937_64& rng) {
  auto pick = [&rng](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  ValidPacket v;
  v.info.protocol = pick(0, 1) ? kProtoTcp : kProtoUdp;
  v.info.saddr = static_cast<Ipv4>(pick(0, 0xffffffff));
  v.info.daddr = static_cast<Ipv4>(pick(0, 0xffffffff));
  v.info.sport = static_cast<std::uint16_t>(pick(0, 0xffff));
  v.info.dport = static_cast<std::uint16_t>(pick(0, 0xffff));
  v.ip_header_length = 4 * pick(5, 15);
  const std::size_t l4_header = v.info.protocol == kProtoTcp ? 4 * pick(5, 15) : 8;
  const std::size_t payload = pick(0, 3) == 0 ? 0 : pick(1, 64);
  v.total_length = v.ip_header_length + l4_header + payload;
  const std::uint16_t frag_choices[] = {0x0000, 0x4000, 0x2000, 0x8000};
  const std::uint16_t frag = frag_choices[pick(0, 3)];
  v.more_fragments = (frag & 0x2000) != 0;

  Bytes& b = v.bytes;
  b.resize(v.total_length);
  for (auto& byte : b) byte = static_cast<std::uint8_t>(pick(0, 255));  // options, payload
  b[0] = static_cast<std::uint8_t>(0x40 | (v.ip_header_length / 4));
  b[2] = static_cast<std::uint8_t>(v.total_length >> 8);
  b[3] = static_cast<std::uint8_t>(v.total_length);
  b[6] = static_cast<std::uint8_t>(frag >> 8);
  b[7] = static_cast<std::uint8_t>(frag);
  b[9] = v.info.protocol;
  b[10] = b[11] = 0;
  for (int i = 0; i < 4; ++i) {
    b[12 + i] = static_cast<std::uint8_t>(v.info.saddr >> (24 - 8 * i));
    b[16 + i] = static_cast<std::uint8_t>(v.info.daddr >> (24 - 8 * i));
  }
  const std::size_t l4 = v.ip_header_length;
  b[l4] = static_cast<std::uint8_t>(v.info.sport >> 8);
  b[l4 + 1] = static_cast<std::uint8_t>(v.info.sport);
  b[l4 + 2] = static_cast<std::uint8_t>(v.info.dport >> 8);
  b[l4 + 3] = static_cast<std::uint8_t>(v.info.dport);
  if (v.info.protocol == kProtoTcp) {
    b[l4 + 12] = static_cast<std::uint8_t>((l4_header / 4) << 4 | (b[l4 + 12] & 0x0f));
    v.tcp_flag_byte = b[l4 + 13];
  } else {
    // Exact, shorter than the payload (trimmed by the kernel), or for a first fragment up to
    // the whole datagram's length.
    std::size_t udp_length = 8 + payload;
    if (pick(0, 3) == 0) udp_length = pick(8, 8 + payload);
    if (v.more_fragments && pick(0, 1)) udp_length = pick(8, 0xffff);
    b[l4 + 4] = static_cast<std::uint8_t>(udp_length >> 8);
    b[l4 + 5] = static_cast<std::uint8_t>(udp_length);
  }
  const std::uint16_t checksum = internet_checksum(std::span(b).first(v.ip_header_length));
  b[10] = static_cast<std::uint8_t>(checksum >> 8);
  b[11] = static_cast<std::uint8_t>(checksum);
  if (pick(0, 7) == 0) b.resize(b.size() + pick(1, 20), 0);  // link-layer padding
  return v;
}

class PacketParserRobustness : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(after_.valid() && before_.valid()) << "mmap/mprotect of guard pages failed";
  }
  std::mt19937_64 rng_{kSeed};
  GuardedBuffer after_{GuardedBuffer::Guard::After};
  GuardedBuffer before_{GuardedBuffer::Guard::Before};
};

TEST_F(PacketParserRobustness, GuardPagesReallyGuard) {
  // The harness itself must be able to fail: a read one byte past the placed data faults.
  const Bytes bytes(16, 0x45);
  const std::span<const std::uint8_t> placed = after_.place(bytes);
  EXPECT_DEATH(
      {
        volatile std::uint8_t sink = placed.data()[placed.size()];
        (void)sink;
      },
      "");
  const std::span<const std::uint8_t> placed_before = before_.place(bytes);
  EXPECT_DEATH(
      {
        volatile std::uint8_t sink = *(placed_before.data() - 1);
        (void)sink;
      },
      "");
}

TEST_F(PacketParserRobustness, EveryGeneratedValidPacketIsAcceptedFieldForField) {
  for (int i = 0; i < kValidPackets; ++i) {
    const ValidPacket v = random_valid_packet(rng_);
    for (GuardedBuffer* guarded : {&after_, &before_}) {
      const ParseResult r =
          parse_ipv4_packet(guarded->place(v.bytes), ParseOptions{.verify_header_checksum = true});
      ASSERT_TRUE(r.ok()) << name_of(r.error) << " for " << hex(v.bytes);
      const ParsedPacket& p = r.packet;
      ASSERT_EQ(p.info.protocol, v.info.protocol);
      ASSERT_EQ(p.info.saddr, v.info.saddr);
      ASSERT_EQ(p.info.daddr, v.info.daddr);
      ASSERT_EQ(p.info.sport, v.info.sport);
      ASSERT_EQ(p.info.dport, v.info.dport);
      ASSERT_EQ(p.ip_total_length, v.total_length);
      ASSERT_EQ(p.l4_offset, v.ip_header_length);
      ASSERT_EQ(p.more_fragments, v.more_fragments);
      if (v.info.protocol == kProtoTcp) {
        ASSERT_EQ(p.tcp_flags.syn, (v.tcp_flag_byte & 0x02) != 0);
        ASSERT_EQ(p.tcp_flags.ack, (v.tcp_flag_byte & 0x10) != 0);
        ASSERT_EQ(p.tcp_flags.fin, (v.tcp_flag_byte & 0x01) != 0);
        ASSERT_EQ(p.tcp_flags.rst, (v.tcp_flag_byte & 0x04) != 0);
      }
    }
  }
}

TEST_F(PacketParserRobustness, RandomBuffersOfLength0To100) {
  Coverage coverage;
  auto pick = [this](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  };
  for (int i = 0; i < kRandomBuffers; ++i) {
    Bytes b(pick(0, 100));
    for (auto& byte : b) byte = static_cast<std::uint8_t>(pick(0, 255));
    // Bias the fields the first checks look at, so most buffers get past them and exercise the
    // deeper paths (pure noise is almost always "not_ipv4").
    if (b.size() >= 20 && pick(0, 3) != 0) {
      b[0] = static_cast<std::uint8_t>(0x40 | pick(0, 15));
      if (pick(0, 1)) {
        const std::uint64_t total = pick(0, b.size() + 2);
        b[2] = static_cast<std::uint8_t>(total >> 8);
        b[3] = static_cast<std::uint8_t>(total);
      }
      if (pick(0, 3) != 0) b[9] = pick(0, 1) ? kProtoTcp : kProtoUdp;
      if (pick(0, 1)) {
        b[6] = static_cast<std::uint8_t>(pick(0, 1) ? 0x40 : 0x20);  // DF or MF, offset 0
        b[7] = 0;
      }
    }
    ASSERT_TRUE(check_one(b, after_, before_, coverage));
  }
  EXPECT_GT(coverage.accepted, 0);
}

TEST_F(PacketParserRobustness, MutatedValidPackets) {
  Coverage coverage;
  auto pick = [this](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  };
  for (int i = 0; i < kMutatedPackets; ++i) {
    Bytes b = random_valid_packet(rng_).bytes;
    const int mutations = static_cast<int>(pick(1, 4));
    for (int m = 0; m < mutations; ++m) {
      switch (pick(0, 5)) {
        case 0:  // flip one bit anywhere
          if (!b.empty()) b[pick(0, b.size() - 1)] ^= static_cast<std::uint8_t>(1u << pick(0, 7));
          break;
        case 1:  // one random byte in the headers
          if (!b.empty())
            b[pick(0, std::min<std::size_t>(b.size(), 80) - 1)] =
                static_cast<std::uint8_t>(pick(0, 255));
          break;
        case 2:  // truncate
          b.resize(pick(0, b.size()));
          break;
        case 3:  // extend with noise
          for (auto n = pick(1, 40); n > 0; --n)
            b.push_back(static_cast<std::uint8_t>(pick(0, 255)));
          break;
        case 4:  // a boundary value in a length field: IHL, total length, TCP offset, UDP length
          if (b.size() >= 4) {
            const std::uint16_t values[] = {0,
                                            1,
                                            7,
                                            8,
                                            19,
                                            20,
                                            21,
                                            0xffff,
                                            static_cast<std::uint16_t>(b.size()),
                                            static_cast<std::uint16_t>(b.size() - 1),
                                            static_cast<std::uint16_t>(b.size() + 1)};
            const std::uint16_t value = values[pick(0, std::size(values) - 1)];
            const std::size_t fields[] = {2, 24, 44};
            const std::size_t at = fields[pick(0, 2)];
            if (at + 1 < b.size()) {
              b[at] = static_cast<std::uint8_t>(value >> 8);
              b[at + 1] = static_cast<std::uint8_t>(value);
            }
            if (pick(0, 2) == 0) b[0] = static_cast<std::uint8_t>((b[0] & 0xf0) | pick(0, 15));
          }
          break;
        default:  // a fragment offset or flag change
          if (b.size() >= 8) {
            b[6] = static_cast<std::uint8_t>(pick(0, 255));
            b[7] = static_cast<std::uint8_t>(pick(0, 255));
          }
          break;
      }
    }
    ASSERT_TRUE(check_one(b, after_, before_, coverage));
  }
  EXPECT_GT(coverage.accepted, 0);
  // The mutations reach every refusal reason, so each check above was exercised.
  for (ParseError e : parse_errors()) {
    EXPECT_GT(coverage.errors[static_cast<std::size_t>(e)], 0) << parse_error_name(e);
  }
}

}  // namespace
}  // namespace lvs
