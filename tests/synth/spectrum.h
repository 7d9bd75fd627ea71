#pragma once

// Small spectral-analysis oracles for the synth tests, independent of the synth module's
// own filters: a textbook radix-2 FFT, a Hann-windowed power spectrum, band power,
// kurtosis and a WAV reader.

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <filesystem>
#include <numbers>
#include <span>
#include <stdexcept>
#include <vector>

namespace uadscope::synth::oracle {

// In-place iterative radix-2 FFT; values.size() must be a power of two.
inline void fft(std::vector<std::complex<double>>& values) {
    const std::size_t n = values.size();
    for (std::size_t i = 1, j = 0; i < n; ++i) {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) {
            j ^= bit;
        }
        j ^= bit;
        if (i < j) {
            std::swap(values[i], values[j]);
        }
    }
    for (std::size_t length = 2; length <= n; length <<= 1) {
        const double angle = -2.0 * std::numbers::pi / static_cast<double>(length);
        const std::complex<double> step(std::cos(angle), std::sin(angle));
        for (std::size_t start = 0; start < n; start += length) {
            std::complex<double> twiddle(1.0, 0.0);
            for (std::size_t k = 0; k < length / 2; ++k) {
                const auto even = values[start + k];
                const auto odd = values[start + k + length / 2] * twiddle;
                values[start + k] = even + odd;
                values[start + k + length / 2] = even - odd;
                twiddle *= step;
            }
        }
    }
}

// Power spectrum of the first `size` samples (a power of two) with a Hann window;
// bin k is at k * sample_rate / size Hz.
inline std::vector<double> power_spectrum(std::span<const double> signal, std::size_t size) {
    if (signal.size() < size) {
        throw std::invalid_argument("power_spectrum: signal shorter than the FFT size");
    }
    std::vector<std::complex<double>> values(size);
    for (std::size_t n = 0; n < size; ++n) {
        const double window = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(n) /
                                                   static_cast<double>(size));
        values[n] = signal[n] * window;
    }
    fft(values);
    std::vector<double> power(size / 2 + 1);
    for (std::size_t k = 0; k < power.size(); ++k) {
        power[k] = std::norm(values[k]);
    }
    return power;
}

inline double bin_frequency(std::size_t bin, std::size_t size, double sample_rate) {
    return static_cast<double>(bin) * sample_rate / static_cast<double>(size);
}

// Frequency of the largest bin between low_hz and high_hz.
inline double peak_frequency(const std::vector<double>& power, std::size_t size, double sample_rate,
                             double low_hz, double high_hz) {
    std::size_t best = 0;
    double best_power = -1.0;
    for (std::size_t k = 0; k < power.size(); ++k) {
        const double frequency = bin_frequency(k, size, sample_rate);
        if (frequency >= low_hz && frequency <= high_hz && power[k] > best_power) {
            best_power = power[k];
            best = k;
        }
    }
    return bin_frequency(best, size, sample_rate);
}

// Sum of the bins between low_hz and high_hz.
inline double band_power(const std::vector<double>& power, std::size_t size, double sample_rate,
                         double low_hz, double high_hz) {
    double sum = 0.0;
    for (std::size_t k = 0; k < power.size(); ++k) {
        const double frequency = bin_frequency(k, size, sample_rate);
        if (frequency >= low_hz && frequency <= high_hz) {
            sum += power[k];
        }
    }
    return sum;
}

// Median bin power between low_hz and high_hz.
inline double median_power(const std::vector<double>& power, std::size_t size, double sample_rate,
                           double low_hz, double high_hz) {
    std::vector<double> values;
    for (std::size_t k = 0; k < power.size(); ++k) {
        const double frequency = bin_frequency(k, size, sample_rate);
        if (frequency >= low_hz && frequency <= high_hz) {
            values.push_back(power[k]);
        }
    }
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    return values[values.size() / 2];
}

// Fourth standardised moment (3 for Gaussian noise, higher for impulsive signals).
inline double kurtosis(std::span<const double> signal) {
    double mean = 0.0;
    for (const double x : signal) {
        mean += x;
    }
    mean /= static_cast<double>(signal.size());
    double m2 = 0.0;
    double m4 = 0.0;
    for (const double x : signal) {
        const double d = (x - mean) * (x - mean);
        m2 += d;
        m4 += d * d;
    }
    m2 /= static_cast<double>(signal.size());
    m4 /= static_cast<double>(signal.size());
    return m4 / (m2 * m2);
}

// x[n] - x[n-1]: a first-order high-pass that lifts the kHz resonances above the low tones.
inline std::vector<double> difference(std::span<const double> signal) {
    std::vector<double> result(signal.size() - 1);
    for (std::size_t n = 1; n < signal.size(); ++n) {
        result[n - 1] = signal[n] - signal[n - 1];
    }
    return result;
}

struct WavContents {
    SF_INFO info{};
    std::vector<short> samples;
};

inline WavContents read_wav(const std::filesystem::path& path) {
    WavContents contents;
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &contents.info);
    if (file == nullptr) {
        throw std::runtime_error("cannot open " + path.string());
    }
    contents.samples.resize(
        static_cast<std::size_t>(contents.info.frames * contents.info.channels));
    sf_read_short(file, contents.samples.data(), static_cast<sf_count_t>(contents.samples.size()));
    sf_close(file);
    return contents;
}

}  // namespace uadscope::synth::oracle
