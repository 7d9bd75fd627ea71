#pragma once

// `uadscope synth`: writes the demo dataset (docs/demo-data.md) into a folder in the DCASE
// 2021 layout, with synth.json recording the seed, the parameters and each file's ground
// truth.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "synth/machine.h"

namespace uadscope::synth {

inline constexpr std::uint64_t kDefaultSeed = 0;
// Source-domain training clips per section; the other counts follow (see section_counts).
inline constexpr int kDefaultClips = 10;
// Four-digit indices in file names allow 10000; 1000 is the size of a DCASE 2021 section.
inline constexpr int kMaxClips = 1000;
inline constexpr double kDefaultSeconds = 10.0;
inline constexpr double kMinSeconds = 1.0;
inline constexpr double kMaxSeconds = 60.0;
// Raise when a model changes the audio, so that synth.json distinguishes old and new data
// and a re-run renders every file again.
inline constexpr int kModelVersion = 1;
inline constexpr const char* kSynthJsonName = "synth.json";

struct SynthOptions {
    std::filesystem::path output_dir;
    std::uint64_t seed = kDefaultSeed;
    int clips = kDefaultClips;
    double seconds = kDefaultSeconds;
    std::vector<Machine> machines{kAllMachines.begin(), kAllMachines.end()};
    // Threads; 0 means one per core. The output does not depend on it.
    int jobs = 0;
};

// Throws Error naming the option, its value and the allowed range.
void validate_options(const SynthOptions& options);

struct SynthSummary {
    std::size_t files = 0;
    std::size_t written = 0;
    // Files whose bytes on disk already equal the generated ones: left untouched.
    std::size_t unchanged = 0;
    // Files an earlier synth.json listed that the current options no longer produce.
    std::size_t removed = 0;
    // Files that could not be written; each was logged with its error.
    std::size_t failed = 0;
    bool manifest_written = false;
};

// Generates every file in parallel, writes each WAV atomically unless an identical file is
// already there, removes files of an earlier run that the current options no longer
// produce, and rewrites synth.json only when its content changes. A file that fails is
// logged and counted, and the others are still written.
SynthSummary generate_dataset(const SynthOptions& options);

}  // namespace uadscope::synth
