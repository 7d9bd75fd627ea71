#include "synth/wav.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace uadscope::synth {

namespace {

// A growable byte buffer behind libsndfile's virtual I/O callbacks.
struct MemoryFile {
    std::string bytes;
    sf_count_t position = 0;
};

sf_count_t memory_length(void* user) {
    return static_cast<sf_count_t>(static_cast<MemoryFile*>(user)->bytes.size());
}

sf_count_t memory_seek(sf_count_t offset, int whence, void* user) {
    auto* file = static_cast<MemoryFile*>(user);
    sf_count_t base = 0;
    if (whence == SEEK_CUR) {
        base = file->position;
    } else if (whence == SEEK_END) {
        base = static_cast<sf_count_t>(file->bytes.size());
    }
    file->position = std::max<sf_count_t>(0, base + offset);
    return file->position;
}

sf_count_t memory_read(void* destination, sf_count_t count, void* user) {
    auto* file = static_cast<MemoryFile*>(user);
    const auto size = static_cast<sf_count_t>(file->bytes.size());
    const sf_count_t available = std::max<sf_count_t>(0, std::min(count, size - file->position));
    std::memcpy(destination, file->bytes.data() + file->position,
                static_cast<std::size_t>(available));
    file->position += available;
    return available;
}

sf_count_t memory_write(const void* source, sf_count_t count, void* user) {
    auto* file = static_cast<MemoryFile*>(user);
    const auto end = static_cast<std::size_t>(file->position + count);
    if (end > file->bytes.size()) {
        file->bytes.resize(end, '\0');
    }
    std::memcpy(file->bytes.data() + file->position, source, static_cast<std::size_t>(count));
    file->position += count;
    return count;
}

sf_count_t memory_tell(void* user) {
    return static_cast<MemoryFile*>(user)->position;
}

}  // namespace

std::vector<std::int16_t> quantize_pcm16(std::span<const double> samples) {
    std::vector<std::int16_t> pcm(samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const double scaled = std::clamp(std::nearbyint(samples[i] * 32767.0), -32768.0, 32767.0);
        pcm[i] = static_cast<std::int16_t>(scaled);
    }
    return pcm;
}

std::string encode_wav_pcm16(std::span<const std::int16_t> samples, int sample_rate) {
    SF_VIRTUAL_IO io{memory_length, memory_seek, memory_read, memory_write, memory_tell};
    MemoryFile memory;
    SF_INFO info{};
    info.samplerate = sample_rate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* file = sf_open_virtual(&io, SFM_WRITE, &info, &memory);
    if (file == nullptr) {
        throw Error(std::string("libsndfile cannot start a 16-bit WAV: ") + sf_strerror(nullptr));
    }
    const auto frames = static_cast<sf_count_t>(samples.size());
    const sf_count_t written = sf_write_short(file, samples.data(), frames);
    const std::string message = sf_strerror(file);
    sf_close(file);
    if (written != frames) {
        throw Error("libsndfile wrote " + std::to_string(written) + " of " +
                    std::to_string(frames) + " samples to a WAV buffer: " + message);
    }
    return std::move(memory.bytes);
}

}  // namespace uadscope::synth
