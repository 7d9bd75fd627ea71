#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/hash.h"
#include "synth/generate.h"
#include "synth/plan.h"
#include "synth/spectrum.h"

namespace uadscope::synth {
namespace {

namespace fs = std::filesystem;

// One clip per group and one second per clip: 54 files, enough to cover every folder.
SynthOptions small_options(const fs::path& folder) {
    SynthOptions options;
    options.output_dir = folder;
    options.clips = 1;
    options.seconds = 1.0;
    options.jobs = 2;
    return options;
}

// Relative path -> bytes of every file under `folder`.
std::map<std::string, std::string> read_tree(const fs::path& folder) {
    std::map<std::string, std::string> tree;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (entry.is_regular_file()) {
            tree[fs::relative(entry.path(), folder).string()] = read_file(entry.path());
        }
    }
    return tree;
}

class GenerateDataset : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        folder_ = uadscope::testing::fresh_temp_dir(std::string("synth-") + info->name());
    }
    void TearDown() override { fs::remove_all(folder_); }

    fs::path folder_;
};

TEST_F(GenerateDataset, WritesEveryFolderAndFormat) {
    const SynthSummary summary = generate_dataset(small_options(folder_ / "demo"));
    EXPECT_EQ(summary.files, 54u);
    EXPECT_EQ(summary.written, 54u);
    EXPECT_EQ(summary.failed, 0u);
    EXPECT_TRUE(summary.manifest_written);

    std::map<std::string, int> per_folder;
    for (const auto& [relative, bytes] : read_tree(folder_ / "demo")) {
        if (relative != kSynthJsonName) {
            per_folder[fs::path(relative).parent_path().string()]++;
        }
    }
    for (const char* machine : {"fan", "pump", "valve"}) {
        for (const char* split_folder : {"train", "source_test", "target_test"}) {
            const std::string name = std::string(machine) + "/" + split_folder;
            // Per section: train 1 source + 1 target, each test folder 1 normal + 1 anomaly.
            EXPECT_EQ(per_folder[name], 6) << name;
        }
    }
    EXPECT_EQ(per_folder.size(), 9u);

    const auto wav = oracle::read_wav(
        folder_ / "demo/pump/source_test/section_02_source_test_anomaly_0000_P2Pis9Rps20Ld1.wav");
    EXPECT_EQ(wav.info.samplerate, 16000);
    EXPECT_EQ(wav.info.channels, 1);
    EXPECT_EQ(wav.info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    EXPECT_EQ(wav.info.frames, 16000);
}

TEST_F(GenerateDataset, ManifestRecordsSeedAndGroundTruth) {
    SynthOptions options = small_options(folder_);
    options.seed = 42;
    generate_dataset(options);
    const auto manifest = nlohmann::json::parse(read_file(folder_ / kSynthJsonName));
    EXPECT_EQ(manifest["seed"], 42);
    EXPECT_EQ(manifest["clips"], 1);
    EXPECT_EQ(manifest["sample_rate"], 16000);
    EXPECT_EQ(manifest["model_version"], kModelVersion);
    ASSERT_EQ(manifest["files"].size(), 54u);
    for (const auto& file : manifest["files"]) {
        const std::string path = file["path"];
        // The fingerprint is that of the bytes on disk.
        EXPECT_EQ(file["fingerprint"], Hasher().add(read_file(folder_ / path)).hex()) << path;
        const std::string name = fs::path(path).filename().string();
        const std::string label = file["label"];
        const std::string domain = file["domain"];
        const std::string split = file["split"];
        EXPECT_NE(name.find("_" + domain + "_" + split + "_" + label + "_"), std::string::npos)
            << path;
        EXPECT_EQ(label == "anomaly", file["anomaly"] != "none") << path;
        EXPECT_TRUE(file["truth"].contains("gain")) << path;
    }
    EXPECT_EQ(manifest["parameters"]["fan"]["sections"][1]["source"]["blade_pass_hz"], 210.0);
}

TEST_F(GenerateDataset, SameBytesForAnyThreadCount) {
    SynthOptions one_thread = small_options(folder_ / "one");
    one_thread.jobs = 1;
    SynthOptions two_threads = small_options(folder_ / "two");
    two_threads.jobs = 2;
    generate_dataset(one_thread);
    generate_dataset(two_threads);
    const auto single_thread_tree = read_tree(folder_ / "one");
    const auto two_thread_tree = read_tree(folder_ / "two");
    EXPECT_EQ(single_thread_tree.size(), 55u);  // 54 WAV files and synth.json
    EXPECT_TRUE(single_thread_tree == two_thread_tree);
}

TEST_F(GenerateDataset, DifferentSeedDifferentAudio) {
    SynthOptions seed_0 = small_options(folder_ / "seed0");
    SynthOptions seed_1 = small_options(folder_ / "seed1");
    seed_1.seed = 1;
    generate_dataset(seed_0);
    generate_dataset(seed_1);
    const auto first = read_tree(folder_ / "seed0");
    const auto second = read_tree(folder_ / "seed1");
    ASSERT_EQ(first.size(), second.size());
    for (const auto& [relative, bytes] : first) {
        ASSERT_TRUE(second.contains(relative)) << relative;
        EXPECT_NE(bytes, second.at(relative)) << relative;
    }
}

TEST_F(GenerateDataset, RerunRewritesNothing) {
    const SynthOptions options = small_options(folder_);
    generate_dataset(options);
    std::map<std::string, fs::file_time_type> modified;
    for (const auto& entry : fs::recursive_directory_iterator(folder_)) {
        if (entry.is_regular_file()) {
            modified[entry.path().string()] = entry.last_write_time();
        }
    }
    const SynthSummary again = generate_dataset(options);
    EXPECT_EQ(again.written, 0u);
    EXPECT_EQ(again.unchanged, 54u);
    EXPECT_EQ(again.removed, 0u);
    EXPECT_FALSE(again.manifest_written);
    for (const auto& [path, time] : modified) {
        EXPECT_EQ(fs::last_write_time(path), time) << path;
    }
}

TEST_F(GenerateDataset, RerunTrustsMatchingFingerprints) {
    const SynthOptions options = small_options(folder_);
    generate_dataset(options);
    // A file whose bytes match its recorded fingerprint is not rendered again, so a marker
    // added to its recorded truth survives. A wrong fingerprint makes the file render again.
    // The rendered bytes equal the file, so nothing is written, but the record is fixed.
    auto manifest = nlohmann::ordered_json::parse(read_file(folder_ / kSynthJsonName));
    manifest["files"][0]["truth"]["marker"] = 1;
    manifest["files"][1]["fingerprint"] = "0000000000000000";
    write_file_atomic(folder_ / kSynthJsonName, manifest.dump(2) + "\n");

    const SynthSummary again = generate_dataset(options);
    EXPECT_EQ(again.written, 0u);
    EXPECT_EQ(again.unchanged, 54u);
    EXPECT_TRUE(again.manifest_written);
    const auto updated = nlohmann::ordered_json::parse(read_file(folder_ / kSynthJsonName));
    EXPECT_EQ(updated["files"][0]["truth"]["marker"], 1);
    EXPECT_EQ(
        updated["files"][1]["fingerprint"],
        Hasher().add(read_file(folder_ / updated["files"][1]["path"].get<std::string>())).hex());
}

TEST_F(GenerateDataset, NewSeedRewritesEverything) {
    SynthOptions options = small_options(folder_);
    generate_dataset(options);
    options.seed = 5;
    const SynthSummary again = generate_dataset(options);
    EXPECT_EQ(again.written, 54u);
    EXPECT_TRUE(again.manifest_written);
    const auto manifest = nlohmann::json::parse(read_file(folder_ / kSynthJsonName));
    EXPECT_EQ(manifest["seed"], 5);
}

TEST_F(GenerateDataset, RerunRepairsChangedFile) {
    const SynthOptions options = small_options(folder_);
    generate_dataset(options);
    const fs::path damaged =
        folder_ / "valve/target_test/section_01_target_test_normal_0000_V1Vlv1Bg2.wav";
    const std::string original = read_file(damaged);
    write_file_atomic(damaged, "not audio");
    const SynthSummary again = generate_dataset(options);
    EXPECT_EQ(again.written, 1u);
    EXPECT_EQ(again.unchanged, 53u);
    EXPECT_EQ(read_file(damaged), original);
}

TEST_F(GenerateDataset, FewerClipsRemovesStaleFiles) {
    SynthOptions options = small_options(folder_);
    options.clips = 2;
    options.machines = {Machine::fan};
    generate_dataset(options);
    const fs::path unrelated = folder_ / "fan/train/my_notes.txt";
    write_file_atomic(unrelated, "kept");
    const fs::path stale =
        folder_ / "fan/train/section_00_source_train_normal_0001_F0Bld5Rps25.wav";
    ASSERT_TRUE(fs::exists(stale));

    options.clips = 1;
    const SynthSummary summary = generate_dataset(options);
    // clips 2: 2 + 1 + 4 * 1 files per section; clips 1: 1 + 1 + 4 * 1.
    EXPECT_EQ(summary.removed, 3u);
    EXPECT_EQ(summary.unchanged, 18u);
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_TRUE(fs::exists(unrelated));
}

TEST_F(GenerateDataset, MachineSubsetKeepsFileContent) {
    generate_dataset(small_options(folder_ / "all"));
    SynthOptions pump_only = small_options(folder_ / "pump");
    pump_only.machines = {Machine::pump};
    generate_dataset(pump_only);
    const auto all = read_tree(folder_ / "all");
    const auto pump = read_tree(folder_ / "pump");
    EXPECT_EQ(pump.size(), 19u);
    for (const auto& [relative, bytes] : pump) {
        if (relative != kSynthJsonName) {
            ASSERT_TRUE(all.contains(relative)) << relative;
            EXPECT_EQ(all.at(relative), bytes) << relative;
        }
    }
}

TEST_F(GenerateDataset, WrittenFanShowsBladePass) {
    SynthOptions options = small_options(folder_);
    options.machines = {Machine::fan};
    options.seconds = 2.048;  // 32768 samples: one power-of-two FFT over the whole file
    generate_dataset(options);
    for (const auto& [name, expected] :
         {std::pair{"train/section_01_source_train_normal_0000_F1Bld7Rps30.wav", 210.0},
          std::pair{"train/section_01_target_train_normal_0000_F1Bld7Rps36.wav", 252.0},
          std::pair{"target_test/section_02_target_test_anomaly_0000_F2Bld9Rps42.wav", 378.0}}) {
        const auto wav = oracle::read_wav(folder_ / "fan" / name);
        ASSERT_EQ(wav.samples.size(), 32768u);
        std::vector<double> samples(wav.samples.begin(), wav.samples.end());
        const auto power = oracle::power_spectrum(samples, samples.size());
        const double peak = oracle::peak_frequency(power, samples.size(), 16000.0, 60.0, 1000.0);
        EXPECT_NEAR(peak, expected, 0.015 * expected) << name;
    }
}

TEST_F(GenerateDataset, WrittenFilesStayBelowCeiling) {
    generate_dataset(small_options(folder_));
    const auto limit = static_cast<int>(std::lround(kPeakCeiling * 32767.0));
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(folder_)) {
        if (entry.path().extension() != ".wav") {
            continue;
        }
        const auto wav = oracle::read_wav(entry.path());
        int peak = 0;
        for (const short sample : wav.samples) {
            peak = std::max(peak, std::abs(static_cast<int>(sample)));
        }
        EXPECT_LE(peak, limit) << entry.path();
        EXPECT_GT(peak, 1000) << entry.path();
        ++files;
    }
    EXPECT_EQ(files, 54);
}

TEST(ValidateOptions, RejectsOutOfRange) {
    SynthOptions options;
    options.output_dir = "demo";
    EXPECT_NO_THROW(validate_options(options));

    auto expect_error = [](SynthOptions bad, const std::string& fragment) {
        try {
            validate_options(bad);
            ADD_FAILURE() << "no error for " << fragment;
        } catch (const Error& error) {
            EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
        }
    };
    SynthOptions bad = options;
    bad.clips = 0;
    expect_error(bad, "--clips 0");
    bad = options;
    bad.clips = kMaxClips + 1;
    expect_error(bad, "--clips 1001");
    bad = options;
    bad.seconds = 0.5;
    expect_error(bad, "--seconds 0.5");
    bad = options;
    bad.seconds = std::nan("");
    expect_error(bad, "--seconds");
    bad = options;
    bad.seconds = 61.0;
    expect_error(bad, "--seconds 61");
    bad = options;
    bad.machines = {};
    expect_error(bad, "no machine type");
    bad = options;
    bad.machines = {Machine::fan, Machine::pump, Machine::fan};
    expect_error(bad, "'fan' is listed twice");
    bad = options;
    bad.jobs = -1;
    expect_error(bad, "--jobs -1");
    bad = options;
    bad.output_dir.clear();
    expect_error(bad, "output folder");
}

TEST(ValidateOptions, RejectsFileAsFolder) {
    const fs::path folder = uadscope::testing::fresh_temp_dir("synth-file-as-folder");
    write_file_atomic(folder / "file", "x");
    SynthOptions options;
    options.output_dir = folder / "file";
    EXPECT_THROW(validate_options(options), Error);
    fs::remove_all(folder);
}

TEST(ParseMachine, KnownAndUnknownNames) {
    EXPECT_EQ(parse_machine("fan"), Machine::fan);
    EXPECT_EQ(parse_machine("valve"), Machine::valve);
    EXPECT_FALSE(parse_machine("Fan").has_value());
    EXPECT_FALSE(parse_machine("").has_value());
}

}  // namespace
}  // namespace uadscope::synth
