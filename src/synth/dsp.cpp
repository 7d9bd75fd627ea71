#include "synth/dsp.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace uadscope::synth {

namespace {

constexpr double pi = std::numbers::pi;

}  // namespace

Biquad::Biquad(double b0, double b1, double b2, double a1, double a2)
    : b0_(b0), b1_(b1), b2_(b2), a1_(a1), a2_(a2) {}

Biquad Biquad::lowpass(double frequency, double q, double sample_rate) {
    UADSCOPE_ASSERT(frequency > 0.0 && frequency < sample_rate / 2 && q > 0.0);
    const double w = 2.0 * pi * frequency / sample_rate;
    const double alpha = std::sin(w) / (2.0 * q);
    const double a0 = 1.0 + alpha;
    const double c = std::cos(w);
    return {(1.0 - c) / 2.0 / a0, (1.0 - c) / a0, (1.0 - c) / 2.0 / a0, -2.0 * c / a0,
            (1.0 - alpha) / a0};
}

Biquad Biquad::highpass(double frequency, double q, double sample_rate) {
    UADSCOPE_ASSERT(frequency > 0.0 && frequency < sample_rate / 2 && q > 0.0);
    const double w = 2.0 * pi * frequency / sample_rate;
    const double alpha = std::sin(w) / (2.0 * q);
    const double a0 = 1.0 + alpha;
    const double c = std::cos(w);
    return {(1.0 + c) / 2.0 / a0, -(1.0 + c) / a0, (1.0 + c) / 2.0 / a0, -2.0 * c / a0,
            (1.0 - alpha) / a0};
}

Biquad Biquad::bandpass(double frequency, double q, double sample_rate) {
    UADSCOPE_ASSERT(frequency > 0.0 && frequency < sample_rate / 2 && q > 0.0);
    const double w = 2.0 * pi * frequency / sample_rate;
    const double alpha = std::sin(w) / (2.0 * q);
    const double a0 = 1.0 + alpha;
    return {alpha / a0, 0.0, -alpha / a0, -2.0 * std::cos(w) / a0, (1.0 - alpha) / a0};
}

Biquad Biquad::resonator(double frequency, double decay_seconds, double sample_rate) {
    UADSCOPE_ASSERT(frequency > 0.0 && frequency < sample_rate / 2 && decay_seconds > 0.0);
    // Poles r e^{+-iw}: the impulse response is r^n sin((n + 1) w) / sin(w), so scaling the
    // input by sin(w) gives the sinusoid unit amplitude.
    const double w = 2.0 * pi * frequency / sample_rate;
    const double r = std::exp(-1.0 / (decay_seconds * sample_rate));
    return {std::sin(w), 0.0, 0.0, -2.0 * r * std::cos(w), r * r};
}

void Biquad::reset() {
    x1_ = x2_ = y1_ = y2_ = 0.0;
}

double Biquad::process(double x) {
    const double y = b0_ * x + b1_ * x1_ + b2_ * x2_ - a1_ * y1_ - a2_ * y2_;
    x2_ = x1_;
    x1_ = x;
    y2_ = y1_;
    y1_ = y;
    return y;
}

void Biquad::process(std::span<double> signal) {
    for (double& sample : signal) {
        sample = process(sample);
    }
}

SlopeFilter::SlopeFilter(double slope_db_per_octave, double low_frequency, double high_frequency,
                         double sample_rate) {
    UADSCOPE_ASSERT(slope_db_per_octave <= 0.0 && slope_db_per_octave >= -6.0);
    UADSCOPE_ASSERT(low_frequency > 0.0 && high_frequency > low_frequency);
    UADSCOPE_ASSERT(high_frequency < sample_rate / 2);
    // A first-order pole-zero pair falls by 6.02 dB per octave between its pole and its
    // zero, so a zero `fraction` octaves above each pole, one pair per octave, gives an
    // average slope of -6.02 * fraction dB per octave.
    const double fraction = -slope_db_per_octave / (20.0 * std::log10(2.0));
    const double warp = 2.0 * sample_rate;
    for (double pole = low_frequency; pole < high_frequency; pole *= 2.0) {
        const double zero = pole * std::pow(2.0, fraction);
        // Bilinear transform of (1 + s / wz) / (1 + s / wp) with prewarped frequencies.
        const double wp = warp * std::tan(pi * pole / sample_rate);
        const double wz = warp * std::tan(pi * std::min(zero, 0.49 * sample_rate) / sample_rate);
        const double gain = wp / wz;
        const double a0 = warp + wp;
        sections_.push_back({gain * (warp + wz) / a0, gain * (wz - warp) / a0, (wp - warp) / a0});
    }
}

void SlopeFilter::process(std::span<double> signal) {
    for (auto& section : sections_) {
        for (double& sample : signal) {
            const double y =
                section.b0 * sample + section.b1 * section.x1 - section.a1 * section.y1;
            section.x1 = sample;
            section.y1 = y;
            sample = y;
        }
    }
}

std::vector<double> white_noise(Rng& rng, std::size_t frames) {
    const double half_width = std::sqrt(3.0);
    std::vector<double> noise(frames);
    for (double& sample : noise) {
        sample = (2.0 * rng.uniform01() - 1.0) * half_width;
    }
    return noise;
}

double rms(std::span<const double> signal) {
    if (signal.empty()) {
        return 0.0;
    }
    double sum = 0.0;
    for (const double sample : signal) {
        sum += sample * sample;
    }
    return std::sqrt(sum / static_cast<double>(signal.size()));
}

void normalise_rms(std::span<double> signal) {
    const double value = rms(signal);
    if (value > 0.0) {
        for (double& sample : signal) {
            sample /= value;
        }
    }
}

void add_mode(std::span<double> signal, double sample_rate, double onset, double frequency,
              double decay_seconds, double amplitude, double phase) {
    const double end = onset + 8.0 * decay_seconds;
    const auto first = static_cast<std::ptrdiff_t>(std::ceil(std::max(onset, 0.0) * sample_rate));
    const auto last = std::min(static_cast<std::ptrdiff_t>(std::floor(end * sample_rate)),
                               static_cast<std::ptrdiff_t>(signal.size()) - 1);
    for (std::ptrdiff_t n = first; n <= last; ++n) {
        const double dt = static_cast<double>(n) / sample_rate - onset;
        signal[static_cast<std::size_t>(n)] +=
            amplitude * std::exp(-dt / decay_seconds) * std::sin(2.0 * pi * frequency * dt + phase);
    }
}

double jitter(Rng& rng, double center, double half_width) {
    return center + (2.0 * rng.uniform01() - 1.0) * half_width;
}

}  // namespace uadscope::synth
