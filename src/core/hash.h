#pragma once

// Content fingerprints for deciding whether a stage's inputs or parameters changed.
// FNV-1a 64-bit: not cryptographic, only a change detector.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace uadscope {

class Hasher {
  public:
    Hasher& add(std::string_view bytes);
    Hasher& add(std::int64_t value);
    Hasher& add(double value);
    std::uint64_t value() const { return state_; }
    // 16 lower-case hexadecimal digits.
    std::string hex() const;

  private:
    std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

// Fingerprint of a file's identity: its path, size and modification time. Cheap, so it can
// be taken for thousands of audio files on every run.
std::string file_stamp(const std::filesystem::path& path);

}  // namespace uadscope
