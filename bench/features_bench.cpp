// Throughput of decode + resample + features (log-STFT and/or log-mel) over real files.
//
// Usage: features_bench [--jobs N] [--repeat R] [--mode both|log_stft|log_mel|decode]
//                       FILE_OR_FOLDER...
// Every file (folders are searched for .wav, .flac and .ogg) is processed `repeat` times,
// spread over `jobs` threads with uadscope::parallel_for and one FeatureExtractor per thread.
// The files are read once before timing, so that they are in the page cache. Prints one line of
// key=value pairs.

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "audio/audio.h"
#include "core/error.h"
#include "core/parallel.h"
#include "features/extract.h"

namespace {

using namespace uadscope;

struct Arguments {
    int jobs = 0;
    int repeat = 1;
    std::string mode = "both";
    std::vector<std::filesystem::path> inputs;
};

Arguments parse(int argc, char** argv) {
    Arguments arguments;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                throw Error(argument + " needs a value");
            }
            return argv[++i];
        };
        if (argument == "--jobs") {
            arguments.jobs = std::stoi(value());
        } else if (argument == "--repeat") {
            arguments.repeat = std::stoi(value());
        } else if (argument == "--mode") {
            arguments.mode = value();
        } else {
            arguments.inputs.emplace_back(argument);
        }
    }
    if (arguments.inputs.empty() || arguments.repeat < 1 ||
        (arguments.mode != "both" && arguments.mode != "log_stft" && arguments.mode != "log_mel" &&
         arguments.mode != "decode")) {
        throw Error(
            "usage: features_bench [--jobs N] [--repeat R] "
            "[--mode both|log_stft|log_mel|decode] FILE_OR_FOLDER...");
    }
    return arguments;
}

std::vector<std::filesystem::path> collect(const std::vector<std::filesystem::path>& inputs) {
    std::vector<std::filesystem::path> files;
    for (const auto& input : inputs) {
        if (!std::filesystem::is_directory(input)) {
            files.push_back(input);
            continue;
        }
        for (const auto& entry : std::filesystem::recursive_directory_iterator(input)) {
            const auto extension = entry.path().extension();
            if (entry.is_regular_file() &&
                (extension == ".wav" || extension == ".flac" || extension == ".ogg")) {
                files.push_back(entry.path());
            }
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// User plus system CPU seconds of the process so far.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& time) {
        return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) * 1e-6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto arguments = parse(argc, argv);
        const auto files = collect(arguments.inputs);
        const int jobs = resolve_jobs(arguments.jobs);
        const bool log_stft = arguments.mode == "both" || arguments.mode == "log_stft";
        const bool log_mel = arguments.mode == "both" || arguments.mode == "log_mel";
        const bool features = arguments.mode != "decode";

        for (const auto& file : files) {
            (void)audio::read_audio(file);
        }

        const std::size_t total = files.size() * static_cast<std::size_t>(arguments.repeat);
        std::vector<std::unique_ptr<features::FeatureExtractor>> extractors(
            static_cast<std::size_t>(jobs));
        std::atomic<std::int64_t> samples{0};
        std::atomic<std::int64_t> frames{0};
        const double cpu_start = cpu_seconds();
        const auto start = std::chrono::steady_clock::now();
        parallel_for(total, jobs, [&](std::size_t index, int worker) {
            const auto loaded = audio::load_audio(files[index % files.size()]);
            samples += static_cast<std::int64_t>(loaded.size());
            if (!features) {
                return;
            }
            auto& extractor = extractors[static_cast<std::size_t>(worker)];
            if (!extractor) {
                extractor =
                    std::make_unique<features::FeatureExtractor>(features::SpectrogramOptions{});
            }
            const auto result = extractor->compute(loaded, log_stft, log_mel);
            frames += static_cast<std::int64_t>(result.energy.size());
        });
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double cpu = cpu_seconds() - cpu_start;
        const double audio_hours = static_cast<double>(samples.load()) / 16000.0 / 3600.0;

        std::printf(
            "engine=uadscope mode=%s jobs=%d files=%zu distinct_files=%zu "
            "audio_hours=%.4f frames=%lld wall_s=%.3f files_per_s=%.1f "
            "s_per_audio_hour=%.2f cpu_s=%.3f cpu_ms_per_file=%.3f peak_rss_mib=%.1f\n",
            arguments.mode.c_str(), jobs, total, files.size(), audio_hours,
            static_cast<long long>(frames.load()), seconds, static_cast<double>(total) / seconds,
            seconds / audio_hours, cpu, 1000.0 * cpu / static_cast<double>(total), peak_rss_mib());
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "features_bench: %s\n", error.what());
        return 1;
    }
}
