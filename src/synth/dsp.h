#pragma once

// Signal-processing building blocks of the synthetic machine models: second-order filters,
// a spectral-slope filter, noise sources and decaying resonant modes.
//
// Every signal is a span of double samples at a known sample rate; filters run in place.

#include <cstddef>
#include <span>
#include <vector>

#include "core/random.h"

namespace uadscope::synth {

// Second-order IIR section y = (b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2), coefficients
// normalised so that a0 = 1. Designs follow R. Bristow-Johnson's "Audio EQ Cookbook".
class Biquad {
  public:
    Biquad(double b0, double b1, double b2, double a1, double a2);

    // Low-pass with cutoff `frequency` (Hz) and quality factor `q` (0.7071 is Butterworth).
    static Biquad lowpass(double frequency, double q, double sample_rate);
    static Biquad highpass(double frequency, double q, double sample_rate);
    // Band-pass with 0 dB gain at the centre `frequency`.
    static Biquad bandpass(double frequency, double q, double sample_rate);
    // Two-pole resonator: its impulse response is a sinusoid at `frequency` whose envelope
    // starts at 1 and decays as exp(-t / decay_seconds), for every frequency.
    static Biquad resonator(double frequency, double decay_seconds, double sample_rate);

    void reset();
    double process(double x);
    void process(std::span<double> signal);

  private:
    double b0_, b1_, b2_, a1_, a2_;
    double x1_ = 0.0, x2_ = 0.0, y1_ = 0.0, y2_ = 0.0;
};

// Filter whose magnitude falls by `slope_db_per_octave` (between -6 and 0) from
// `low_frequency` to about `high_frequency` and is flat outside, with unity gain at 0 Hz.
// It is a cascade of first-order pole-zero sections, one per octave. Each zero sits above
// its pole so that the average slope over the octave is the requested one.
class SlopeFilter {
  public:
    SlopeFilter(double slope_db_per_octave, double low_frequency, double high_frequency,
                double sample_rate);
    void process(std::span<double> signal);

  private:
    struct Section {
        double b0, b1, a1;
        double x1 = 0.0, y1 = 0.0;
    };
    std::vector<Section> sections_;
};

// White noise with zero mean and unit variance, drawn uniformly from [-sqrt(3), sqrt(3)].
// Uniform draws are cheap, and after any of the filters above the noise is close to
// Gaussian.
std::vector<double> white_noise(Rng& rng, std::size_t frames);

// Scales `signal` to unit RMS; leaves an all-zero signal unchanged.
void normalise_rms(std::span<double> signal);

double rms(std::span<const double> signal);

// Adds a decaying resonant mode starting at time `onset` (seconds, may be fractional):
// amplitude * exp(-dt / decay) * sin(2 pi frequency dt + phase) for dt >= 0, cut after 8
// decay times (below -69 dB).
void add_mode(std::span<double> signal, double sample_rate, double onset, double frequency,
              double decay_seconds, double amplitude, double phase);

// Uniform draw in [center - half_width, center + half_width).
double jitter(Rng& rng, double center, double half_width);

}  // namespace uadscope::synth
