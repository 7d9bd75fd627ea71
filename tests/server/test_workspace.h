#pragma once

// A small generated workspace for the explorer tests: three WAV files (one stereo at
// 22.05 kHz), a manifest, one map with a kNN graph and a score set with NaN and infinity.

#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "dataset/manifest.h"
#include "store/map_file.h"

namespace uadscope::server::testing {

namespace fs = std::filesystem;

struct TestFile {
    std::string relative_path;
    std::string device;
    dataset::Split split;
    dataset::Label label;
    dataset::Attributes attributes;
    int sample_rate;
    int channels;
    double seconds;
    double frequency;  // Hz of the sine in every channel
};

inline const std::vector<TestFile>& test_files() {
    static const std::vector<TestFile> files = {
        {"fan/train/section_00_source_train_normal_0000_m-n_W.wav",
         "fan",
         dataset::Split::train,
         dataset::Label::normal,
         {{"m-n", "W"}},
         16000,
         1,
         2.0,
         440},
        {"fan/test/section_00_source_test_anomaly_0001_m-n_X.wav",
         "fan",
         dataset::Split::test,
         dataset::Label::anomaly,
         {{"m-n", "X"}},
         16000,
         1,
         2.0,
         880},
        {"valve/test/section_00_target_test_normal_0002_pat_03.wav",
         "valve",
         dataset::Split::test,
         dataset::Label::normal,
         {{"pat", "03"}},
         22050,
         2,
         1.5,
         330},
    };
    return files;
}

// Sample value of channel `channel` at sample `i` of `file`: a sine, with the second channel
// at half amplitude so that the downmix differs from either channel.
inline double test_sample(const TestFile& file, int channel, std::int64_t i) {
    const double amplitude = channel == 0 ? 0.5 : 0.25;
    return amplitude * std::sin(2 * std::numbers::pi * file.frequency * static_cast<double>(i) /
                                file.sample_rate);
}

inline void write_test_wav(const fs::path& path, const TestFile& file) {
    fs::create_directories(path.parent_path());
    SF_INFO info{};
    info.samplerate = file.sample_rate;
    info.channels = file.channels;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* handle = sf_open(path.c_str(), SFM_WRITE, &info);
    if (handle == nullptr) {
        throw Error("cannot write test WAV '" + path.string() + "'");
    }
    const auto frames = static_cast<std::int64_t>(file.seconds * file.sample_rate);
    std::vector<double> interleaved(static_cast<std::size_t>(frames * file.channels));
    for (std::int64_t i = 0; i < frames; ++i) {
        for (int c = 0; c < file.channels; ++c) {
            interleaved[static_cast<std::size_t>(i * file.channels + c)] = test_sample(file, c, i);
        }
    }
    sf_writef_double(handle, interleaved.data(), frames);
    sf_close(handle);
}

// Points per file and k of the generated map.
inline constexpr int test_points_per_file = 20;
inline constexpr int test_k = 4;
inline constexpr int test_stack = 5;
inline const char* const test_map_id = "log_mel_s5_global";

// UMAP-like coordinates far from the origin, so that the viewer's centring matters.
inline float test_x(std::size_t point) {
    return 10000.0f + 0.25f * static_cast<float>(point % 7) + static_cast<float>(point / 20);
}
inline float test_y(std::size_t point) {
    return -5000.0f + 0.5f * static_cast<float>(point % 5);
}

// Writes the workspace into `work` and returns the manifest records.
inline std::vector<dataset::FileRecord> write_test_workspace(const fs::path& work) {
    std::vector<dataset::FileRecord> records;
    for (std::size_t i = 0; i < test_files().size(); ++i) {
        const TestFile& file = test_files()[i];
        const fs::path audio = work / "audio" / file.relative_path;
        write_test_wav(audio, file);
        dataset::FileRecord record;
        record.file_id = static_cast<std::int64_t>(i);
        record.path = audio.string();
        record.relative_path = file.relative_path;
        record.dataset = "audio";
        record.name.scheme = "dcase2022";
        record.name.device = file.device;
        record.name.section = 0;
        record.name.domain = i == 2 ? dataset::Domain::target : dataset::Domain::source;
        record.name.split = file.split;
        record.name.label = file.label;
        record.name.index = static_cast<std::int64_t>(i);
        record.name.attributes = file.attributes;
        record.sample_rate = file.sample_rate;
        record.channels = file.channels;
        record.frames = static_cast<std::int64_t>(file.seconds * file.sample_rate);
        record.format = "WAV PCM 16-bit";
        record.file_stamp = "test";
        records.push_back(record);
    }
    dataset::write_manifest(work / "manifest.csv", records);

    store::MapData map;
    const std::size_t points = test_files().size() * test_points_per_file;
    map.points = static_cast<std::int64_t>(points);
    map.k = test_k;
    for (std::size_t p = 0; p < points; ++p) {
        map.embedding.push_back(test_x(p));
        map.embedding.push_back(test_y(p));
        map.file_id.push_back(static_cast<std::int32_t>(p / test_points_per_file));
        map.frame.push_back(static_cast<std::int32_t>(p % test_points_per_file));
        map.fitted.push_back(p % 2 == 0 ? 1 : 0);
        for (int j = 1; j <= test_k; ++j) {
            map.knn_indices.push_back(static_cast<std::int32_t>((p + j) % points));
            map.knn_distances.push_back(static_cast<float>(j));
        }
    }
    map.text = {{"rep", "log_mel"}, {"scope", "global"}, {"fit", "joint"}};
    map.numbers = {
        {"stack", test_stack},         {"hop_length", 512}, {"n_fft", 1024},
        {"sample_rate", 16000},        {"seed", 7},         {"trustworthiness", std::nan("")},
        {"knn_preservation", INFINITY}};
    store::write_map(work / "maps" / (std::string(test_map_id) + ".h5"), map);

    write_file_atomic(work / "scores" / "anomaly_score_fan_section_00_test.csv",
                      "section_00_source_train_normal_0000_m-n_W.wav,nan\n"
                      "section_00_source_test_anomaly_0001_m-n_X.wav,1.5\n"
                      "not_in_manifest.wav,3\n");
    write_file_atomic(work / "scores" / "anomaly_score_valve_section_00_test.csv",
                      "section_00_target_test_normal_0002_pat_03.wav,inf\n");
    return records;
}

}  // namespace uadscope::server::testing
