#pragma once

// Short-time Fourier transform power spectrum, as librosa 0.10 computes it with
// center=True and pad_mode="constant": a periodic Hann window of n_fft samples, frames hop
// hop_length samples apart, the signal padded with n_fft / 2 zeros on each side so that frame
// t is centred on sample t * hop_length.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace uadscope::features {

// Number of centred frames for a signal of `samples` samples with an even n_fft:
// 1 + floor(samples / hop_length), and 0 for an empty signal.
std::int64_t frame_count(std::int64_t samples, int hop_length);

// Periodic Hann window of `length` samples (scipy get_window("hann", length, fftbins=True)).
std::vector<double> periodic_hann(int length);

// Power spectrogram computer for one n_fft and hop_length. The FFTW plan is made once (under
// a process-wide lock, because FFTW planning is not thread-safe) and executed with FFTW's
// new-array functions. One object per thread: compute() is not thread-safe.
class PowerSpectrogram {
  public:
    // Throws Error unless n_fft is even and at least 2 and hop_length is at least 1.
    PowerSpectrogram(int n_fft, int hop_length);
    ~PowerSpectrogram();
    PowerSpectrogram(const PowerSpectrogram&) = delete;
    PowerSpectrogram& operator=(const PowerSpectrogram&) = delete;

    int n_fft() const { return n_fft_; }
    int hop_length() const { return hop_length_; }
    // n_fft / 2 + 1
    int bins() const { return bins_; }

    // Writes |STFT|^2 of `samples` to `power`, row-major [frame_count(samples.size()), bins()],
    // resizing it. The FFT runs in float.
    void compute(std::span<const float> samples, std::vector<float>& power);

    // Writes |STFT|^2 of frames [first_frame, first_frame + count) of `samples` to `power`,
    // row-major [count, bins()], with the same bits as compute(). Lets a caller process a few
    // frames at a time while they are in cache. The frames must lie within
    // frame_count(samples.size()).
    void compute_frames(std::span<const float> samples, std::int64_t first_frame,
                        std::int64_t count, std::span<float> power);

  private:
    // Writes |X[k]|^2 for k = 0 .. n_fft / 2 to `row` from the half-length complex FFT output
    // (fftwf_complex[n_fft / 2]).
    void split_power(const void* spectrum, float* row);

    struct Plan;
    int n_fft_;
    int hop_length_;
    int bins_;
    std::vector<float> window_;
    std::unique_ptr<Plan> plan_;
};

}  // namespace uadscope::features
