#pragma once

// Mel filter bank as librosa 0.10 filters.mel builds it by default. The filters are triangles
// on the Slaney mel scale (linear below 1 kHz, logarithmic above). Slaney area normalisation
// scales each by 2 / (its width in Hz). Weights are computed in double and stored in float32.

#include <cstdint>
#include <span>
#include <vector>

namespace uadscope::features {

// Slaney mel scale (librosa hz_to_mel / mel_to_hz with htk=False).
double hz_to_mel(double hz);
double mel_to_hz(double mel);

// `count` frequencies in Hz equally spaced on the mel scale from fmin to fmax, inclusive
// (librosa mel_frequencies).
std::vector<double> mel_frequencies(int count, double fmin, double fmax);

// The n_mels x (n_fft / 2 + 1) filter bank, with the range of non-zero bins of each filter
// kept so that applying it skips the zeros.
class MelFilterBank {
  public:
    MelFilterBank(double sample_rate, int n_fft, int n_mels, double fmin, double fmax);

    int n_mels() const { return n_mels_; }
    int bins() const { return bins_; }
    // Row-major [n_mels, bins] weights, equal to librosa's float32 array.
    const std::vector<float>& weights() const { return weights_; }

    // Writes the mel power of every frame: mel[t, m] = sum over k of weights[m, k] * power[t, k],
    // accumulated in float. power is row-major [frames, bins()], mel is [frames, n_mels()].
    void apply(std::span<const float> power, std::span<float> mel) const;

  private:
    int n_mels_;
    int bins_;
    std::vector<float> weights_;
    std::vector<int> first_bin_;  // per filter: first non-zero bin
    std::vector<int> end_bin_;    // per filter: one past the last non-zero bin
};

}  // namespace uadscope::features
