#include "features/extract.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>

#include "audio/target_clones.h"
#include "core/error.h"

namespace uadscope::features {
namespace {

constexpr int min_sample_rate = 1000;
constexpr int max_sample_rate = 384000;
constexpr int min_n_fft = 16;
constexpr int max_n_fft = 65536;
constexpr int max_n_mels = 1024;

// Frames per block of FeatureExtractor::compute(): eight power spectra of the default n_fft
// (16 KiB) stay in the first-level cache, and MelFilterBank::apply() works on eight frames at
// once.
constexpr std::size_t frames_per_block = 8;

// Writes the sum of each of the rows of `power` ([rows, bins]) to `energy` ([rows]).
// Each row is summed in double with four partial sums. The rows of a block are summed side by
// side so that their independent dependency chains overlap.
UADSCOPE_TARGET_CLONES void frame_energy(std::span<const float> power, std::size_t bins,
                                         std::span<float> energy) {
    const std::size_t rows = energy.size();
    UADSCOPE_ASSERT(rows <= frames_per_block && power.size() == rows * bins);
    std::array<std::array<double, 4>, frames_per_block> sums{};
    std::size_t k = 0;
    for (; k + 4 <= bins; k += 4) {
        for (std::size_t r = 0; r < rows; ++r) {
            const float* row = power.data() + r * bins;
            for (std::size_t j = 0; j < 4; ++j) {
                sums[r][j] += row[k + j];
            }
        }
    }
    for (std::size_t r = 0; r < rows; ++r) {
        const float* row = power.data() + r * bins;
        for (std::size_t tail = k; tail < bins; ++tail) {
            sums[r][0] += row[tail];
        }
        energy[r] = static_cast<float>((sums[r][0] + sums[r][1]) + (sums[r][2] + sums[r][3]));
    }
}

// Returns `options` after validating them, so that members built from them see valid values.
const SpectrogramOptions& validated(const SpectrogramOptions& options) {
    options.validate();
    return options;
}

}  // namespace

void SpectrogramOptions::validate() const {
    if (sample_rate < min_sample_rate || sample_rate > max_sample_rate) {
        throw Error(fmt::format("invalid sample rate {} Hz: expected {} to {} Hz", sample_rate,
                                min_sample_rate, max_sample_rate));
    }
    // An odd n_fft changes the centred frame count to 1 + (samples - 1) / hop_length, which
    // the rest of the pipeline does not expect.
    if (n_fft < min_n_fft || n_fft > max_n_fft || n_fft % 2 != 0) {
        throw Error(
            fmt::format("invalid n_fft {}: expected an even number of samples from {} to {}", n_fft,
                        min_n_fft, max_n_fft));
    }
    if (hop_length < 1 || hop_length > n_fft) {
        throw Error(fmt::format("invalid hop_length {}: expected 1 to n_fft ({}) samples",
                                hop_length, n_fft));
    }
    if (n_mels < 1 || n_mels > max_n_mels) {
        throw Error(fmt::format("invalid n_mels {}: expected 1 to {}", n_mels, max_n_mels));
    }
    if (!(fmin >= 0) || !(fmax > fmin) || fmax > sample_rate / 2.0) {
        throw Error(
            fmt::format("invalid mel range fmin {} Hz, fmax {} Hz: expected 0 <= fmin < "
                        "fmax <= sample rate / 2 ({} Hz)",
                        fmin, fmax, sample_rate / 2.0));
    }
    if (!(ref > 0) || !std::isfinite(ref)) {
        throw Error(fmt::format("invalid dB ref {}: expected a positive power", ref));
    }
    if (!(amin >= FLT_MIN) || !std::isfinite(amin)) {
        throw Error(fmt::format("invalid dB amin {}: expected at least {}", amin, FLT_MIN));
    }
    if (!(top_db > 0)) {
        throw Error(
            fmt::format("invalid top_db {}: expected a positive number of dB, or inf for "
                        "no clamp",
                        top_db));
    }
}

DbOptions SpectrogramOptions::db_options() const {
    return {db, ref, amin, top_db};
}

FeatureExtractor::FeatureExtractor(const SpectrogramOptions& options)
    : options_(validated(options)),
      spectrogram_(options.n_fft, options.hop_length),
      mel_bank_(options.sample_rate, options.n_fft, options.n_mels, options.fmin, options.fmax) {}

FileFeatures FeatureExtractor::compute(std::span<const float> samples, bool log_stft,
                                       bool log_mel) {
    const auto bins = static_cast<std::size_t>(spectrogram_.bins());
    const auto mels = static_cast<std::size_t>(options_.n_mels);
    const auto frames = static_cast<std::size_t>(
        frame_count(static_cast<std::int64_t>(samples.size()), options_.hop_length));

    FileFeatures features;
    features.energy.resize(frames);
    if (log_stft) {
        features.log_stft.frames = static_cast<std::int64_t>(frames);
        features.log_stft.dims = static_cast<std::int64_t>(bins);
        features.log_stft.values.reserve(frames * bins);
    }
    if (log_mel) {
        features.log_mel.frames = static_cast<std::int64_t>(frames);
        features.log_mel.dims = options_.n_mels;
        features.log_mel.values.reserve(frames * mels);
    }

    // Every step runs on a block of frames while its power spectrum is still in cache. On the
    // power of the whole file (1.3 MB for 10 s at the defaults), each step would cost one trip
    // to memory. Each block's dB values are appended to the reserved outputs, which spares
    // filling them with zeros first. The dB clamp needs the file's maximum, so it comes last.
    const DbOptions db = options_.db_options();
    DbConverter stft_db(db);
    DbConverter mel_db(db);
    block_power_.resize(frames_per_block * bins);
    block_mel_.resize(frames_per_block * mels);
    for (std::size_t first = 0; first < frames; first += frames_per_block) {
        const std::size_t count = std::min(frames_per_block, frames - first);
        const std::span<float> power(block_power_.data(), count * bins);
        spectrogram_.compute_frames(samples, static_cast<std::int64_t>(first),
                                    static_cast<std::int64_t>(count), power);
        frame_energy(power, bins, std::span<float>(features.energy).subspan(first, count));
        if (log_mel) {
            const std::span<float> mel(block_mel_.data(), count * mels);
            mel_bank_.apply(power, mel);
            mel_db.convert(mel, mel, mels);
            features.log_mel.values.insert(features.log_mel.values.end(), mel.begin(), mel.end());
        }
        if (log_stft) {
            stft_db.convert(power, power, bins);
            features.log_stft.values.insert(features.log_stft.values.end(), power.begin(),
                                            power.end());
        }
    }
    if (log_mel) {
        mel_db.finish(features.log_mel.values);
    }
    if (log_stft) {
        stft_db.finish(features.log_stft.values);
    }
    return features;
}

}  // namespace uadscope::features
