#include "audio/sound_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "audio/riff_check.h"
#include "core/error.h"

namespace uadscope::audio {

struct SoundFile::State {
    std::filesystem::path path;
    int fd = -1;
    RiffView view;
    sf_count_t position = 0;  // virtual-IO read position in the corrected view
    SNDFILE* sndfile = nullptr;
    SF_INFO info{};
    std::vector<float> interleaved;  // reused decode buffer

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

std::int64_t SoundFile::read_mono(std::int64_t count, std::vector<float>& mono) {
    auto& state = *state_;
    const int channels = state.info.channels;
    constexpr std::int64_t block_frames = 8192;
    std::int64_t total = 0;
    while (total < count) {
        const std::int64_t block = std::min(block_frames, count - total);
        state.interleaved.resize(static_cast<std::size_t>(block * channels));
        const sf_count_t got = sf_readf_float(state.sndfile, state.interleaved.data(), block);
        if (got > 0) {
            if (channels == 1) {
                mono.insert(mono.end(), state.interleaved.begin(), state.interleaved.begin() + got);
            } else {
                // The sum in double and one rounding keep the mean as close to exact as float
                // allows, independent of the channel count.
                const float* frame = state.interleaved.data();
                for (sf_count_t i = 0; i < got; ++i, frame += channels) {
                    double sum = 0;
                    for (int c = 0; c < channels; ++c) {
                        sum += frame[c];
                    }
                    mono.push_back(static_cast<float>(sum / channels));
                }
            }
            total += got;
        }
        if (got < block) {
            if (sf_error(state.sndfile) != SF_ERR_NO_ERROR) {
                throw Error(fmt::format("{}: decoding failed after {} frames: {}",
                                        state.path.string(), total, sf_strerror(state.sndfile)));
            }
            break;
        }
    }
    return total;
}

}  // namespace uadscope::audio
