#pragma once

// Byte-level WAV file builder for decoder tests: every header field is written by hand so
// that tests can produce malformed files (wrong sizes, missing bytes, odd chunks) on purpose.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace uadscope::testing {

inline constexpr std::uint16_t wave_format_pcm = 1;
inline constexpr std::uint16_t wave_format_ieee_float = 3;
inline constexpr std::uint16_t wave_format_extensible = 0xfffe;

inline void append_le(std::string& bytes, std::uint64_t value, int count) {
    for (int i = 0; i < count; ++i) {
        bytes += static_cast<char>((value >> (8 * i)) & 0xffU);
    }
}

// A chunk: id, 4-byte little-endian size (the body's size unless `declared_size` is given),
// body, and the pad byte RIFF requires after a body of odd size.
inline std::string riff_chunk(const std::string& id, const std::string& body,
                              std::optional<std::uint32_t> declared_size = std::nullopt) {
    std::string bytes = id;
    append_le(bytes, declared_size.value_or(static_cast<std::uint32_t>(body.size())), 4);
    bytes += body;
    if (body.size() % 2 == 1) {
        bytes += '\0';
    }
    return bytes;
}

// The body of a fmt chunk. For WAVE_FORMAT_EXTENSIBLE the sub-format GUID is PCM or IEEE
// float according to `extensible_float`.
inline std::string fmt_body(std::uint16_t format_tag, int channels, int sample_rate,
                            int bits_per_sample, bool extensible_float = false) {
    const int block_align = channels * ((bits_per_sample + 7) / 8);
    std::string body;
    append_le(body, format_tag, 2);
    append_le(body, static_cast<std::uint64_t>(channels), 2);
    append_le(body, static_cast<std::uint64_t>(sample_rate), 4);
    append_le(body, static_cast<std::uint64_t>(sample_rate * block_align), 4);
    append_le(body, static_cast<std::uint64_t>(block_align), 2);
    append_le(body, static_cast<std::uint64_t>(bits_per_sample), 2);
    if (format_tag == wave_format_extensible) {
        append_le(body, 22, 2);                                           // cbSize
        append_le(body, static_cast<std::uint64_t>(bits_per_sample), 2);  // valid bits
        append_le(body, channels == 1 ? 0x4 : 0x3, 4);                    // channel mask
        // KSDATAFORMAT_SUBTYPE_PCM or _IEEE_FLOAT: {0000000X-0000-0010-8000-00aa00389b71}
        append_le(body, extensible_float ? 3 : 1, 4);
        const unsigned char tail[12] = {0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
                                        0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71};
        body.append(reinterpret_cast<const char*>(tail), sizeof(tail));
    }
    return body;
}

// Interleaved integer samples as little-endian PCM of `bits` bits; 8-bit PCM is unsigned
// (offset by 128) as the WAV format defines it.
inline std::string pcm_bytes(const std::vector<std::int32_t>& samples, int bits) {
    std::string bytes;
    for (const auto value : samples) {
        if (bits == 8) {
            bytes += static_cast<char>(static_cast<std::uint8_t>(value + 128));
        } else {
            append_le(bytes, static_cast<std::uint32_t>(value), bits / 8);
        }
    }
    return bytes;
}

inline std::string float_bytes(const std::vector<float>& samples) {
    std::string bytes(samples.size() * 4, '\0');
    std::memcpy(bytes.data(), samples.data(), bytes.size());
    return bytes;
}

// RIFF....WAVE followed by `chunks`; the RIFF size is the true size unless given.
inline std::string riff_wave(const std::string& chunks,
                             std::optional<std::uint32_t> declared_size = std::nullopt) {
    std::string bytes = "RIFF";
    append_le(bytes, declared_size.value_or(static_cast<std::uint32_t>(chunks.size() + 4)), 4);
    bytes += "WAVE";
    bytes += chunks;
    return bytes;
}

// A plain PCM WAV file of interleaved integer samples.
inline std::string pcm_wav(const std::vector<std::int32_t>& samples, int channels, int sample_rate,
                           int bits) {
    return riff_wave(riff_chunk("fmt ", fmt_body(wave_format_pcm, channels, sample_rate, bits)) +
                     riff_chunk("data", pcm_bytes(samples, bits)));
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream stream(path, std::ios::binary | std::ios::trunc);
    stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// round(amplitude * full_scale * sin(2 pi frequency n / sample_rate)) for n < count.
inline std::vector<std::int32_t> sine_pcm(double frequency, int sample_rate, std::int64_t count,
                                          double amplitude, double full_scale) {
    std::vector<std::int32_t> samples(static_cast<std::size_t>(count));
    for (std::int64_t n = 0; n < count; ++n) {
        samples[static_cast<std::size_t>(n)] = static_cast<std::int32_t>(
            std::lround(amplitude * full_scale *
                        std::sin(2.0 * 3.14159265358979323846 * frequency * static_cast<double>(n) /
                                 sample_rate)));
    }
    return samples;
}

}  // namespace uadscope::testing
