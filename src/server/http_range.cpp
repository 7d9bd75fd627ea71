#include "server/http_range.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace uadscope::server {

namespace {

std::optional<std::uint64_t> parse_digits(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

template <typename T>
void put_little_endian(std::string& out, T value) {
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        out.push_back(static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xff));
    }
}

}  // namespace

RangeDecision decide_range(std::string_view header, std::uint64_t size) {
    RangeDecision decision;
    header = trim(header);
    constexpr std::string_view unit = "bytes=";
    if (header.substr(0, unit.size()) != unit) {
        return decision;
    }
    const std::string_view spec = trim(header.substr(unit.size()));
    const std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos) {
        return decision;
    }
    const std::string_view first_text = trim(spec.substr(0, dash));
    const std::string_view last_text = trim(spec.substr(dash + 1));
    const auto first = parse_digits(first_text);
    const auto last = parse_digits(last_text);
    if (!first_text.empty() && !first) {
        return decision;  // malformed: ignored
    }

    if (!first) {
        // Suffix range "-n": the last n bytes.
        if (!last) {
            return decision;
        }
        if (*last == 0 || size == 0) {
            decision.kind = RangeDecision::Kind::unsatisfiable;
            return decision;
        }
        decision.kind = RangeDecision::Kind::partial;
        decision.first = size - std::min(*last, size);
        decision.last = size - 1;
        return decision;
    }
    if (!last_text.empty() && (!last || *last < *first)) {
        return decision;  // malformed: ignored
    }
    if (*first >= size) {
        decision.kind = RangeDecision::Kind::unsatisfiable;
        return decision;
    }
    decision.kind = RangeDecision::Kind::partial;
    decision.first = *first;
    decision.last = last ? std::min(*last, size - 1) : size - 1;
    return decision;
}

std::string content_range(const RangeDecision& range, std::uint64_t size) {
    return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
           std::to_string(size);
}

std::string encode_wav(std::span<const float> samples, int sample_rate) {
    constexpr std::uint16_t channels = 1;
    constexpr std::uint16_t bits = 16;
    const auto data_bytes = static_cast<std::uint32_t>(samples.size() * sizeof(std::int16_t));
    std::string wav;
    wav.reserve(44 + data_bytes);
    wav += "RIFF";
    put_little_endian<std::uint32_t>(wav, 36 + data_bytes);
    wav += "WAVEfmt ";
    put_little_endian<std::uint32_t>(wav, 16);
    put_little_endian<std::uint16_t>(wav, 1);  // PCM
    put_little_endian<std::uint16_t>(wav, channels);
    put_little_endian<std::uint32_t>(wav, static_cast<std::uint32_t>(sample_rate));
    put_little_endian<std::uint32_t>(wav,
                                     static_cast<std::uint32_t>(sample_rate) * channels * bits / 8);
    put_little_endian<std::uint16_t>(wav, channels * bits / 8);
    put_little_endian<std::uint16_t>(wav, bits);
    wav += "data";
    put_little_endian<std::uint32_t>(wav, data_bytes);
    for (const float sample : samples) {
        const float clipped = std::isfinite(sample) ? std::clamp(sample, -1.0f, 1.0f) : 0.0f;
        const auto value =
            static_cast<std::int16_t>(std::clamp(std::lround(clipped * 32768.0f), -32768L, 32767L));
        put_little_endian<std::uint16_t>(wav, static_cast<std::uint16_t>(value));
    }
    return wav;
}

}  // namespace uadscope::server
