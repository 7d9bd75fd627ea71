#include "audio/sound_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>

#include "audio/riff_check.h"
#include "audio/target_clones.h"
#include "core/error.h"

namespace uadscope::audio {

struct SoundFile::State {
    std::filesystem::path path;
    int fd = -1;
    RiffView view;
    sf_count_t position = 0;  // virtual-IO read position in the corrected view
    SNDFILE* sndfile = nullptr;
    SF_INFO info{};

    ~State() {
        if (sndfile != nullptr) {
            sf_close(sndfile);
        }
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

namespace {

SoundFile::State& state_of(void* user_data) {
    return *static_cast<SoundFile::State*>(user_data);
}

sf_count_t virtual_length(void* user_data) {
    return state_of(user_data).view.length;
}

sf_count_t virtual_seek(sf_count_t offset, int whence, void* user_data) {
    auto& state = state_of(user_data);
    sf_count_t target = offset;
    if (whence == SEEK_CUR) {
        target = state.position + offset;
    } else if (whence == SEEK_END) {
        target = state.view.length + offset;
    }
    if (target < 0) {
        return -1;
    }
    state.position = target;
    return state.position;
}

// Reads from the file and overlays the corrected size fields.
sf_count_t virtual_read(void* buffer, sf_count_t count, void* user_data) {
    auto& state = state_of(user_data);
    const sf_count_t available =
        std::min(count, std::max<sf_count_t>(0, state.view.length - state.position));
    auto* bytes = static_cast<unsigned char*>(buffer);
    sf_count_t done = 0;
    while (done < available) {
        const auto got = ::pread(state.fd, bytes + done, static_cast<std::size_t>(available - done),
                                 static_cast<off_t>(state.position + done));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        done += got;
    }
    for (const auto& patch : state.view.patches) {
        for (int i = 0; i < 4; ++i) {
            const sf_count_t at = patch.offset + i - state.position;
            if (at >= 0 && at < done) {
                bytes[at] = static_cast<unsigned char>((patch.value >> (8 * i)) & 0xffU);
            }
        }
    }
    state.position += done;
    return done;
}

sf_count_t virtual_write(const void*, sf_count_t, void*) {
    return 0;
}

sf_count_t virtual_tell(void* user_data) {
    return state_of(user_data).position;
}

// Samples (all channels) decoded per libsndfile call; the decode buffers below hold this many.
constexpr std::int64_t decode_buffer_samples = std::int64_t{1} << 18;

// Decode buffers reused by every file that a thread reads, so that a file costs no allocation
// and no page faults for them (at most 1.5 MiB per thread).
thread_local std::vector<std::int16_t> pcm16_buffer;
thread_local std::vector<float> float_buffer;

// Integer totals over the channel sums of 16-bit frames.
struct Pcm16Totals {
    std::int64_t sum = 0;
    std::int32_t minimum = std::numeric_limits<std::int32_t>::max();
    std::int32_t maximum = std::numeric_limits<std::int32_t>::min();
};

// Writes the means of `frames` interleaved 16-bit frames to `mono` and adds their channel sums
// to `totals`. Channels > 0 fixes the channel count at compile time, 0 reads `channels`.
//
// The means have the same bits as libsndfile's float decoding (sample * 2^-15 in float)
// followed by a mean in double. That sum of the channels is exact in double, so it equals the
// integer sum times 2^-15, and one division by the channel count rounds it to float. For a
// power-of-two count up to 256 the division is an exact multiplication in float.
template <int Channels>
[[gnu::always_inline]] inline void mix_pcm16_frames(const std::int16_t* __restrict interleaved,
                                                    std::int64_t frames, int channels,
                                                    float* __restrict mono, Pcm16Totals& totals) {
    const int count = Channels > 0 ? Channels : channels;
    const bool exact = std::has_single_bit(static_cast<unsigned>(count)) && count <= 256;
    const float scale = 0x1p-15f / static_cast<float>(count);
    // Sums of up to 2^15 / count channel sums (each at most 2^15 * count in magnitude) fit in
    // int32, which vectorises better than int64.
    const std::int64_t chunk = std::max(1, 32768 / count);
    std::int32_t minimum = totals.minimum;
    std::int32_t maximum = totals.maximum;
    for (std::int64_t first = 0; first < frames; first += chunk) {
        const std::int64_t last = std::min(frames, first + chunk);
        std::int32_t sum = 0;
        for (std::int64_t i = first; i < last; ++i) {
            std::int32_t frame_sum = 0;
            for (int c = 0; c < count; ++c) {
                frame_sum += interleaved[i * count + c];
            }
            sum += frame_sum;
            minimum = std::min(minimum, frame_sum);
            maximum = std::max(maximum, frame_sum);
            mono[i] = exact ? static_cast<float>(frame_sum) * scale
                            : static_cast<float>(static_cast<double>(frame_sum) * 0x1p-15 / count);
        }
        totals.sum += sum;
    }
    totals.minimum = minimum;
    totals.maximum = maximum;
}

UADSCOPE_TARGET_CLONES void mix_pcm16(const std::int16_t* interleaved, std::int64_t frames,
                                      int channels, float* mono, Pcm16Totals& totals) {
    switch (channels) {
        case 1:
            mix_pcm16_frames<1>(interleaved, frames, channels, mono, totals);
            break;
        case 2:
            mix_pcm16_frames<2>(interleaved, frames, channels, mono, totals);
            break;
        case 8:
            mix_pcm16_frames<8>(interleaved, frames, channels, mono, totals);
            break;
        default:
            mix_pcm16_frames<0>(interleaved, frames, channels, mono, totals);
            break;
    }
}

// Writes the means of `frames` interleaved float frames to `mono`. The sum in double and one
// rounding keep each mean as close to exact as float allows, independent of the channel count.
UADSCOPE_TARGET_CLONES void mix_float(const float* __restrict interleaved, std::int64_t frames,
                                      int channels, float* __restrict mono) {
    if (channels == 1) {
        std::copy(interleaved, interleaved + frames, mono);
        return;
    }
    for (std::int64_t i = 0; i < frames; ++i) {
        const float* frame = interleaved + i * channels;
        double sum = 0;
        for (int c = 0; c < channels; ++c) {
            sum += frame[c];
        }
        mono[i] = static_cast<float>(sum / channels);
    }
}

// libsndfile's name of a major format or subtype value, e.g. "FLAC (Free Lossless Audio Codec)".
std::string format_name(int format) {
    SF_FORMAT_INFO info{};
    info.format = format;
    if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof(info)) != 0 ||
        info.name == nullptr) {
        return fmt::format("0x{:x}", format);
    }
    return info.name;
}

}  // namespace

SoundFile::SoundFile(const std::filesystem::path& path) : state_(std::make_unique<State>()) {
    auto& state = *state_;
    state.path = path;
    const std::string name = path.string();

    state.fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (state.fd < 0) {
        throw Error(fmt::format("{}: cannot open audio file: {}", name, std::strerror(errno)));
    }
    struct stat status {};
    if (::fstat(state.fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        throw Error(fmt::format("{}: not a regular file", name));
    }
    if (status.st_size == 0) {
        throw Error(fmt::format("{}: the audio file is empty (0 bytes)", name));
    }
    state.view = check_riff(path, state.fd, status.st_size);

    SF_VIRTUAL_IO io{virtual_length, virtual_seek, virtual_read, virtual_write, virtual_tell};
    state.sndfile = sf_open_virtual(&io, SFM_READ, &state.info, &state);
    if (state.sndfile == nullptr) {
        throw Error(fmt::format("{}: cannot decode audio: {}", name, sf_strerror(nullptr)));
    }
    if (state.info.channels < 1 || state.info.samplerate < 1) {
        throw Error(fmt::format("{}: invalid header: {} channels at {} Hz", name,
                                state.info.channels, state.info.samplerate));
    }
}

SoundFile::~SoundFile() = default;

int SoundFile::sample_rate() const {
    return state_->info.samplerate;
}
int SoundFile::channels() const {
    return state_->info.channels;
}
std::int64_t SoundFile::frames() const {
    return state_->info.frames;
}

std::string SoundFile::format() const {
    const int format = state_->info.format;
    return format_name(format & SF_FORMAT_TYPEMASK) + ", " +
           format_name(format & SF_FORMAT_SUBMASK);
}

void SoundFile::seek(std::int64_t frame) {
    if (sf_seek(state_->sndfile, frame, SEEK_SET) < 0) {
        throw Error(fmt::format("{}: seeking to frame {} failed: {}", state_->path.string(), frame,
                                sf_strerror(state_->sndfile)));
    }
}

std::int64_t SoundFile::read_mono(std::int64_t count, std::vector<float>& mono,
                                  SampleSummary* summary) {
    auto& state = *state_;
    const int channels = state.info.channels;
    // Blocks of at most decode_buffer_samples samples (all channels), so that a 10 s mono clip
    // at 16 kHz is decoded in one call.
    const std::int64_t block_frames = std::max<std::int64_t>(1, decode_buffer_samples / channels);
    const bool pcm16 = (state.info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16;
    Pcm16Totals totals;
    std::int64_t total = 0;
    while (total < count) {
        const std::int64_t block = std::min(block_frames, count - total);
        const auto samples = static_cast<std::size_t>(block * channels);
        const std::size_t first = mono.size();
        sf_count_t got = 0;
        if (pcm16) {
            pcm16_buffer.resize(std::max(pcm16_buffer.size(), samples));
            got = sf_readf_short(state.sndfile, pcm16_buffer.data(), block);
            if (got > 0) {
                mono.resize(first + static_cast<std::size_t>(got));
                mix_pcm16(pcm16_buffer.data(), got, channels, mono.data() + first, totals);
            }
        } else {
            float_buffer.resize(std::max(float_buffer.size(), samples));
            got = sf_readf_float(state.sndfile, float_buffer.data(), block);
            if (got > 0) {
                mono.resize(first + static_cast<std::size_t>(got));
                mix_float(float_buffer.data(), got, channels, mono.data() + first);
            }
        }
        total += std::max<sf_count_t>(got, 0);
        if (got < block) {
            if (sf_error(state.sndfile) != SF_ERR_NO_ERROR) {
                throw Error(fmt::format("{}: decoding failed after {} frames: {}",
                                        state.path.string(), total, sf_strerror(state.sndfile)));
            }
            break;
        }
    }

    if (summary != nullptr) {
        *summary = SampleSummary{};
        // The channel means are exact in float when the channel count is a power of two up to
        // 256 (a sum of 256 16-bit samples has 24 bits), and then the integer sum is the exact
        // sum of the means. 2^29 frames keep that sum below 2^53, exact in double.
        const bool exact = pcm16 && std::has_single_bit(static_cast<unsigned>(channels)) &&
                           channels <= 256 && total < (std::int64_t{1} << 29);
        if (exact && total > 0) {
            const double scale = 0x1p-15 / channels;
            summary->known = true;
            summary->sum = static_cast<double>(totals.sum) * scale;
            summary->minimum = static_cast<float>(totals.minimum * scale);
            summary->maximum = static_cast<float>(totals.maximum * scale);
        }
    }
    return total;
}

}  // namespace uadscope::audio
