#include "server/time_span.h"

#include <algorithm>
#include <cmath>

namespace uadscope::server {

namespace {

double number_or(const std::map<std::string, double>& numbers, const std::string& name,
                 double fallback) {
    const auto found = numbers.find(name);
    return found != numbers.end() && std::isfinite(found->second) && found->second > 0
               ? found->second
               : fallback;
}

}  // namespace

FrameTiming timing_from_attributes(const std::map<std::string, double>& numbers,
                                   const FrameTiming& fallback) {
    FrameTiming timing = fallback;
    const double rate = number_or(numbers, "sample_rate", 0);
    if (rate > 0 && numbers.count("hop_length") > 0) {
        timing.hop_s = number_or(numbers, "hop_length", timing.hop_s * rate) / rate;
        timing.window_s = number_or(numbers, "n_fft", timing.window_s * rate) / rate;
    } else if (numbers.count("hop_seconds") > 0) {
        timing.hop_s = number_or(numbers, "hop_seconds", timing.hop_s);
        timing.window_s = number_or(numbers, "window_seconds", timing.hop_s);
    }
    return timing;
}

TimeSpan point_span(std::int64_t frame, std::int64_t stack, const FrameTiming& timing,
                    double duration_s) {
    const auto first = static_cast<double>(frame);
    const auto last = static_cast<double>(frame + std::max<std::int64_t>(stack, 1) - 1);
    TimeSpan span;
    span.start_s = std::max(0.0, first * timing.hop_s - timing.window_s / 2);
    span.end_s = std::max(span.start_s, last * timing.hop_s + timing.window_s / 2);
    if (std::isfinite(duration_s)) {
        span.start_s = std::min(span.start_s, duration_s);
        span.end_s = std::min(span.end_s, duration_s);
    }
    return span;
}

}  // namespace uadscope::server
