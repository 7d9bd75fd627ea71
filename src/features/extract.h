#pragma once

// Per-file features: log-STFT (513 dB bins per frame with the defaults), log-mel (128 dB
// bins) and frame energy, matching librosa 0.10.
//
// Layout: every FrameMatrix is row-major [frames, dims], one row per STFT frame in time
// order. (librosa returns [dims, frames].)

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "features/mel_filter_bank.h"
#include "features/power_to_db.h"
#include "features/stack.h"
#include "features/stft.h"

namespace uadscope::features {

// Defaults of Fernandez and Plumbley (DCASE 2021 workshop), which are also librosa's mel
// filter bank defaults for 16 kHz audio.
inline constexpr int default_n_fft = 1024;
inline constexpr int default_hop_length = 512;
inline constexpr int default_n_mels = 128;

struct SpectrogramOptions {
    int sample_rate = 16000;              // Hz of the input samples, in [1000, 384000]
    int n_fft = default_n_fft;            // window and FFT length in samples, even, in [16, 65536]
    int hop_length = default_hop_length;  // samples between frames, in [1, n_fft]
    int n_mels = default_n_mels;          // mel filters, in [1, 1024]
    double fmin = 0;                      // Hz, lowest mel filter edge, >= 0
    double fmax = 8000;                   // Hz, highest mel filter edge, in (fmin, sample_rate / 2]
    DbScale db = DbScale::librosa;
    double ref = 1.0;      // librosa dB reference power, > 0
    double amin = 1e-10;   // librosa dB floor on the power, > 0
    double top_db = 80.0;  // librosa dB clamp below each file's maximum, > 0 (inf: none)

    // Throws Error naming the first invalid value or combination.
    void validate() const;
    DbOptions db_options() const;
};

struct FileFeatures {
    FrameMatrix log_stft;       // [frames, n_fft / 2 + 1] dB; empty unless requested
    FrameMatrix log_mel;        // [frames, n_mels] dB; empty unless requested
    std::vector<float> energy;  // [frames]: sum of the power over the n_fft / 2 + 1 bins
};

// Computes the features of one file at a time. Holds the FFTW plan, window and filter bank,
// so make one per thread and reuse it: compute() is not thread-safe.
class FeatureExtractor {
  public:
    explicit FeatureExtractor(const SpectrogramOptions& options);

    const SpectrogramOptions& options() const { return options_; }

    // Computes the requested representations of `samples` (mono, options.sample_rate Hz).
    // Energy is always computed. Every matrix has frame_count(samples.size(), hop_length) rows:
    // none for an empty signal.
    FileFeatures compute(std::span<const float> samples, bool log_stft, bool log_mel);

  private:
    SpectrogramOptions options_;
    PowerSpectrogram spectrogram_;
    MelFilterBank mel_bank_;
    // Reused buffers for one block of frames of compute(): [frames, bins] and [frames, n_mels].
    std::vector<float> block_power_;
    std::vector<float> block_mel_;
};

}  // namespace uadscope::features
