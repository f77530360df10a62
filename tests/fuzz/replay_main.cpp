// Replays the files of the given corpus directories (or files) through a harness's
// LLVMFuzzerTestOneInput, without libFuzzer: the normal g++ build runs every seed and every
// regression input (tests/fuzz/regressions/) as a ctest test, sanitized or not. A crash fails
// the test; so does finding no input at all (a mistyped directory must not pass silently).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void replay(const std::filesystem::path& file, int& count) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  std::printf("replay %s (%zu bytes)\n", file.c_str(), bytes.size());
  std::fflush(stdout);
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  ++count;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) replay(f, count);
    } else if (std::filesystem::is_regular_file(arg)) {
      replay(arg, count);
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "no input found\n");
    return 1;
  }
  std::printf("%d inputs replayed\n", count);
  return 0;
}
