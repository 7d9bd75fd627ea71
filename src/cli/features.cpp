// `uadscope features WORK`: computes log-STFT and log-mel features of every manifest file.

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"
#include "pipeline/features_stage.h"

namespace uadscope::cli {
namespace {

// Number of failed files printed; the rest are in the file_status dataset.
constexpr std::size_t max_listed_failures = 100;

features::DbScale parse_db_option(const std::string& text) {
    // "dcase" is the short spelling of the DCASE baselines' scale.
    if (text == "dcase") {
        return features::DbScale::dcase_baseline;
    }
    try {
        return features::parse_db_scale(text);
    } catch (const Error& error) {
        throw UsageError(std::string(error.what()) + " (or dcase for dcase_baseline)");
    }
}

int run_features(int argc, char** argv) {
    CLI::App app{
        "Compute log-STFT and log-mel features (librosa 0.10 conventions) of every file in "
        "WORK/manifest.csv into WORK/features/<rep>.h5; resumes an interrupted run and does "
        "nothing when the manifest and parameters are unchanged"};
    pipeline::FeaturesOptions options;
    std::string work;
    std::string norm = "absmax";
    std::string db = "librosa";
    std::optional<double> fmax;
    app.add_option("WORK", work, "Workspace folder made by uadscope index")->required();
    app.add_option("--rep", options.reps,
                   "Representations, comma-separated: log_stft, log_mel, or the name of an "
                   "imported embedding (only checked against the manifest)")
        ->delimiter(',')
        ->capture_default_str();
    app.add_option("--norm", norm, "Amplitude normalisation after mean removal: none, std, absmax")
        ->capture_default_str();
    app.add_option("--db", db,
                   "Power to dB: librosa (power_to_db with ref, amin, top_db) or dcase "
                   "(10 log10(max(power, DBL_EPSILON)), no clamp, as the DCASE baselines)")
        ->capture_default_str();
    app.add_option("--sample-rate", options.load.sample_rate,
                   "Rate in Hz every file is resampled to")
        ->capture_default_str();
    app.add_option("--n-fft", options.spectrogram.n_fft, "STFT window and FFT length in samples")
        ->capture_default_str();
    app.add_option("--hop-length", options.spectrogram.hop_length, "Samples between frames")
        ->capture_default_str();
    app.add_option("--n-mels", options.spectrogram.n_mels, "Mel bins of log_mel")
        ->capture_default_str();
    app.add_option("--fmin", options.spectrogram.fmin, "Lowest mel filter edge in Hz")
        ->capture_default_str();
    app.add_option("--fmax", fmax, "Highest mel filter edge in Hz [default: sample rate / 2]");
    app.add_option("--top-db", options.spectrogram.top_db,
                   "librosa dB clamp below each file's maximum (inf for none)")
        ->capture_default_str();
    app.add_option("-j,--jobs", options.jobs, "Worker threads (0: one per core)")
        ->capture_default_str();
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    options.workspace = work;
    options.tool_version = "uadscope " UADSCOPE_VERSION;
    try {
        options.load.normalization = audio::parse_normalization(norm);
    } catch (const Error& error) {
        throw UsageError(error.what());
    }
    options.spectrogram.db = parse_db_option(db);
    options.spectrogram.fmax = fmax ? *fmax : options.load.sample_rate / 2.0;

    const pipeline::FeaturesResult result = pipeline::run_features(options);
    for (const auto& rep : result.written) {
        std::printf("features: wrote %s/features/%s.h5\n", work.c_str(), rep.c_str());
    }
    for (const auto& rep : result.up_to_date) {
        std::printf("features: %s/features/%s.h5 is up to date\n", work.c_str(), rep.c_str());
    }
    std::printf("features: %zu files, %zu computed, %zu reused, %zu failed\n", result.files,
                result.computed, result.reused, result.failures.size());
    if (!result.failures.empty()) {
        std::printf("failed files (%zu):\n", result.failures.size());
        for (std::size_t i = 0; i < result.failures.size() && i < max_listed_failures; ++i) {
            std::printf("  %s: %s\n", result.failures[i].first.c_str(),
                        result.failures[i].second.c_str());
        }
        if (result.failures.size() > max_listed_failures) {
            std::printf("  ... and %zu more (see the file_status dataset of each feature file)\n",
                        result.failures.size() - max_listed_failures);
        }
    }
    return static_cast<int>(result.exit_code());
}

const CommandRegistration registration(
    {"features", "Compute log-STFT and log-mel features of every manifest file", 20, run_features});

}  // namespace
}  // namespace uadscope::cli
