#pragma once

// The `features` stage: computes log-STFT and log-mel features of every manifest file into
// WORK/features/<rep>.h5 (layout in feature_file.h and docs/formats.md).
//
// Both representations come from one decode of each file. Files run in parallel, one
// FeatureExtractor per worker. Each finished file is written at once as a part file (see
// feature_parts.h), so a killed run resumes without recomputing finished files. The final
// HDF5 file is assembled from the parts and renamed into place only when complete. A rerun
// whose manifest and parameters match the fingerprint stored in the file does no work.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audio/audio.h"
#include "core/error.h"
#include "features/extract.h"

namespace uadscope::pipeline {

struct FeaturesOptions {
    std::filesystem::path workspace;
    // log_stft and log_mel are computed; any other name must be an imported embedding
    // (uadscope import), which is only checked against the manifest.
    std::vector<std::string> reps{"log_stft", "log_mel"};
    // Decoding: sample rate (Hz) and normalisation; the mean is always removed.
    audio::LoadOptions load;
    // STFT, mel and dB parameters; sample_rate is taken from `load`.
    features::SpectrogramOptions spectrogram;
    int jobs = 0;                          // worker threads; 0: all cores
    std::string tool_version = "unknown";  // stored as the version attribute
};

struct FeaturesResult {
    std::size_t files = 0;                // manifest rows
    std::size_t computed = 0;             // files decoded in this run
    std::size_t reused = 0;               // files whose parts a previous run had finished
    std::vector<std::string> written;     // representations written in this run
    std::vector<std::string> up_to_date;  // representations that needed no work
    // Files without features in any written or up-to-date representation, with the reason,
    // in manifest order.
    std::vector<std::pair<std::string, std::string>> failures;

    ExitCode exit_code() const { return failures.empty() ? ExitCode::ok : ExitCode::partial; }
};

// The fingerprint stored in WORK/features/<rep>.h5: a hash of the manifest fingerprint and
// every parameter that changes the values of `rep`.
std::string features_fingerprint(const std::string& rep, const FeaturesOptions& options,
                                 const std::string& manifest_fingerprint);

// Runs the stage. Broken audio files do not stop the run: each gets zero frames and its
// reason in file_status, and is listed in the result's failures. Holds an exclusive flock on
// WORK/.lock while it runs. Throws Error for a missing manifest, an unknown representation,
// invalid parameters, or a workspace that another run holds locked.
FeaturesResult run_features(const FeaturesOptions& options);

}  // namespace uadscope::pipeline
