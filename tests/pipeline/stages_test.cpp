// Index, features, import and export stages on generated WAV and .npy files.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "core/error.h"
#include "core/random.h"
#include "dataset/manifest.h"
#include "pipeline/export_stage.h"
#include "pipeline/feature_file.h"
#include "pipeline/features_stage.h"
#include "pipeline/import_stage.h"
#include "pipeline/index_stage.h"
#include "pipeline/map_stage.h"
#include "pipeline/workspace.h"
#include "store/h5.h"
#include "store/map_file.h"
#include "store/npy.h"

namespace uadscope::pipeline {
namespace {

namespace fs = std::filesystem;

// Writes a 16 kHz mono 16-bit PCM WAV file of noise plus a tone.
void write_wav(const fs::path& path, std::size_t samples, std::uint64_t seed) {
    fs::create_directories(path.parent_path());
    Rng rng(seed);
    std::vector<std::int16_t> data(samples);
    for (std::size_t i = 0; i < samples; ++i) {
        const double tone =
            0.3 * std::sin(2 * std::numbers::pi * 440.0 * static_cast<double>(i) / 16000.0);
        data[i] = static_cast<std::int16_t>(std::lround(8000 * (tone + 0.2 * rng.normal())));
    }
    const auto data_bytes = static_cast<std::uint32_t>(samples * 2);
    std::ofstream out(path, std::ios::binary);
    auto u32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
    auto u16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
    out.write("RIFF", 4);
    u32(36 + data_bytes);
    out.write("WAVEfmt ", 8);
    u32(16);
    u16(1);      // PCM
    u16(1);      // channels
    u32(16000);  // sample rate
    u32(32000);  // bytes per second
    u16(2);      // block align
    u16(16);     // bits per sample
    out.write("data", 4);
    u32(data_bytes);
    out.write(reinterpret_cast<const char*>(data.data()), data_bytes);
}

// A small DCASE 2022 layout dataset: 4 good clips and one file that is not audio.
struct Fixture {
    fs::path root;
    fs::path data;
    fs::path work;

    explicit Fixture(const std::string& name) {
        root = testing::fresh_temp_dir(name);
        data = root / "dev";
        work = root / "work";
        write_wav(data / "fan/train/section_00_source_train_normal_0000_noAttribute.wav", 16000, 1);
        write_wav(data / "fan/train/section_00_source_train_normal_0001_noAttribute.wav", 12345, 2);
        write_wav(data / "fan/test/section_00_source_test_anomaly_0000_noAttribute.wav", 20000, 3);
        write_wav(data / "pump/test/section_00_target_test_normal_0000_noAttribute.wav", 8000, 4);
        std::ofstream(data / "fan/test/section_00_source_test_normal_0009_noAttribute.wav")
            << "this is not a WAV file";
    }
    ~Fixture() { fs::remove_all(root); }

    IndexResult index() const {
        IndexOptions options;
        options.workspace = work;
        options.datasets = {data.string()};
        options.jobs = 2;
        return run_index(options);
    }

    FeaturesOptions features_options() const {
        FeaturesOptions options;
        options.workspace = work;
        options.jobs = 2;
        return options;
    }

    // Indexes the dataset and computes its log-mel features.
    void index_log_mel() const {
        index();
        FeaturesOptions features = features_options();
        features.reps = {"log_mel"};
        run_features(features);
    }
};

std::int64_t find_file(const dataset::Manifest& manifest, const std::string& relative_path) {
    for (const auto& record : manifest.records) {
        if (record.relative_path == relative_path) {
            return record.file_id;
        }
    }
    ADD_FAILURE() << relative_path << " not in the manifest";
    return -1;
}

TEST(IndexStage, ListsUnreadableHeaders) {
    const Fixture fixture("index-stage");
    const IndexResult result = fixture.index();
    EXPECT_EQ(result.records.size(), 5u);
    EXPECT_EQ(result.unreadable, 1u);
    EXPECT_EQ(result.exit_code(), ExitCode::partial);
    EXPECT_TRUE(result.manifest_changed);

    const dataset::Manifest manifest = dataset::read_manifest(fixture.work / "manifest.csv");
    const auto broken =
        find_file(manifest, "fan/test/section_00_source_test_normal_0009_noAttribute.wav");
    ASSERT_GE(broken, 0);
    const auto& record = manifest.records[static_cast<std::size_t>(broken)];
    EXPECT_TRUE(record.status.starts_with("unreadable: ")) << record.status;
    EXPECT_EQ(record.sample_rate, 0);
    const auto good =
        find_file(manifest, "fan/train/section_00_source_train_normal_0001_noAttribute.wav");
    EXPECT_EQ(manifest.records[static_cast<std::size_t>(good)].frames, 12345);
    EXPECT_EQ(manifest.records[static_cast<std::size_t>(good)].sample_rate, 16000);

    // A second run reuses every readable header and leaves the manifest as it was.
    const IndexResult again = fixture.index();
    EXPECT_FALSE(again.manifest_changed);
    EXPECT_EQ(again.reused_headers, 4u);
}

TEST(FeaturesStage, BrokenFilesDoNotStopTheRun) {
    const Fixture fixture("features-broken");
    fixture.index();
    // Deleted after indexing: decoding fails in the features stage.
    const fs::path deleted =
        fixture.data / "pump/test/section_00_target_test_normal_0000_noAttribute.wav";
    fs::remove(deleted);

    const FeaturesResult result = run_features(fixture.features_options());
    EXPECT_EQ(result.exit_code(), ExitCode::partial);
    ASSERT_EQ(result.failures.size(), 2u);
    EXPECT_EQ(result.computed, 4u);
    EXPECT_EQ(result.written, (std::vector<std::string>{"log_stft", "log_mel"}));

    const dataset::Manifest manifest = dataset::read_manifest(fixture.work / "manifest.csv");
    const FeatureFile stft = open_workspace_features(fixture.work, "log_stft", manifest);
    EXPECT_EQ(stft.dims(), 513);
    std::map<std::string, std::string> status;
    for (std::int64_t i = 0; i < stft.file_count(); ++i) {
        status[manifest.records[static_cast<std::size_t>(i)].relative_path] = stft.file_status()[i];
        if (stft.file_status()[i] != "ok") {
            EXPECT_EQ(stft.file_frames(i), 0);
        }
    }
    EXPECT_TRUE(status["pump/test/section_00_target_test_normal_0000_noAttribute.wav"].starts_with(
        "failed: "));
    EXPECT_TRUE(status["fan/test/section_00_source_test_normal_0009_noAttribute.wav"].starts_with(
        "unreadable: "));
    // 12345 samples at hop 512: 1 + floor(12345 / 512) = 25 centred frames.
    const auto short_file =
        find_file(manifest, "fan/train/section_00_source_train_normal_0001_noAttribute.wav");
    EXPECT_EQ(stft.file_frames(short_file), 25);
    EXPECT_FALSE(fs::exists(Workspace(fixture.work).parts_folder()));

    // Same manifest and parameters: no work, the same failures and exit code.
    const FeaturesResult again = run_features(fixture.features_options());
    EXPECT_EQ(again.computed, 0u);
    EXPECT_EQ(again.up_to_date.size(), 2u);
    EXPECT_EQ(again.failures, result.failures);
    EXPECT_EQ(again.exit_code(), ExitCode::partial);
}

TEST(FeaturesStage, ParameterChangeRecomputesOnlyAffectedRep) {
    const Fixture fixture("features-parameters");
    fixture.index();
    run_features(fixture.features_options());

    FeaturesOptions options = fixture.features_options();
    options.spectrogram.n_mels = 64;
    const FeaturesResult result = run_features(options);
    EXPECT_EQ(result.written, std::vector<std::string>{"log_mel"});
    EXPECT_EQ(result.up_to_date, std::vector<std::string>{"log_stft"});
    const FeatureFile mel = FeatureFile::open(Workspace(fixture.work).features("log_mel"));
    EXPECT_EQ(mel.dims(), 64);
    EXPECT_EQ(mel.h5().attribute_int("n_mels"), 64);
}

TEST(FeaturesStage, RejectsUnknownRepAndBadOptions) {
    const Fixture fixture("features-options");
    fixture.index();
    FeaturesOptions options = fixture.features_options();
    options.reps = {"openl3"};
    EXPECT_THROW(run_features(options), UsageError);
    options.reps = {"../escape"};
    EXPECT_THROW(run_features(options), UsageError);
    options = fixture.features_options();
    options.spectrogram.hop_length = 0;
    EXPECT_THROW(run_features(options), UsageError);
}

TEST(FeaturesStage, SecondRunOnLockedWorkspaceFails) {
    const Fixture fixture("features-lock");
    fixture.index();
    // Another run holds the lock: flock locks of two open file descriptions conflict even
    // within one process.
    const fs::path lock_path = fixture.work / ".lock";
    const int other = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(other, 0);
    ASSERT_EQ(::flock(other, LOCK_EX | LOCK_NB), 0);
    try {
        run_features(fixture.features_options());
        ADD_FAILURE() << "the features stage ran on a locked workspace";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("another uadscope run is working on " + fixture.work.string() +
                               " (pid " + std::to_string(::getpid()) + "); wait for it to finish"),
                  std::string::npos)
            << message;
    }
    EXPECT_FALSE(fs::exists(fixture.work / "features" / "log_mel.h5"));
    ::close(other);

    FeaturesOptions options = fixture.features_options();
    options.reps = {"log_mel"};
    EXPECT_NO_THROW(run_features(options));
    EXPECT_TRUE(fs::exists(fixture.work / "features" / "log_mel.h5"));
}

TEST(IndexStage, UnreadableRootNamesPermission) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads folders without read permission";
    }
    const fs::path root = testing::fresh_temp_dir("index-unreadable");
    write_wav(root / "closed/fan/train/section_00_source_train_normal_0000_noAttribute.wav", 800,
              1);
    fs::permissions(root / "closed", fs::perms::none);
    IndexOptions options;
    options.workspace = root / "work";
    options.datasets = {(root / "closed").string()};
    try {
        run_index(options);
        ADD_FAILURE() << "an unreadable dataset folder was indexed";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("permission denied"), std::string::npos) << message;
        EXPECT_EQ(message.find("no audio file matched"), std::string::npos) << message;
    }
    fs::permissions(root / "closed", fs::perms::owner_all);
    fs::remove_all(root);
}

// Writes a float32 .npy [frames, dims] whose value (f, d) is base + f * dims + d.
std::vector<float> write_embedding(const fs::path& path, std::int64_t frames, std::int64_t dims,
                                   float base) {
    fs::create_directories(path.parent_path());
    std::vector<float> values(static_cast<std::size_t>(frames * dims));
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = base + static_cast<float>(i);
    }
    const std::vector<std::int64_t> shape{frames, dims};
    store::write_npy(path, std::span<const float>(values), shape);
    return values;
}

TEST(ImportStage, MatchesNamesAndReportsProblems) {
    const Fixture fixture("import-npy");
    // A second "section_00_source_train_normal_0000" in another machine folder makes that
    // basename ambiguous.
    write_wav(fixture.data / "pump/train/section_00_source_train_normal_0000_noAttribute.wav", 4000,
              9);
    fixture.index();
    const fs::path npy = fixture.root / "embeddings";
    const auto fan_train_1 =
        write_embedding(npy / "section_00_source_train_normal_0001_noAttribute.npy", 3, 6, 0);
    // The mirrored folder resolves the ambiguous basename for fan; pump's copy has the
    // basename only and stays ambiguous.
    const auto fan_train_0 = write_embedding(
        npy / "fan/train/section_00_source_train_normal_0000_noAttribute.wav.npy", 2, 6, 100);
    write_embedding(npy / "flat/section_00_source_train_normal_0000_noAttribute.npy", 2, 6, 0);
    write_embedding(npy / "section_00_source_test_anomaly_0000_noAttribute.npy", 4, 5, 0);
    write_embedding(npy / "unrelated_clip.npy", 2, 6, 0);
    const std::vector<std::int64_t> rank_one{6};
    const std::vector<float> flat(6, 1.0f);
    store::write_npy(npy / "section_00_target_test_normal_0000_noAttribute.npy",
                     std::span<const float>(flat), rank_one);

    ImportOptions options;
    options.workspace = fixture.work;
    options.name = "openl3";
    options.source = npy;
    options.hop_seconds = 0.1;
    const ImportResult result = run_import(options);

    EXPECT_EQ(result.exit_code(), ExitCode::partial);
    EXPECT_EQ(result.dims, 6);
    EXPECT_EQ(result.imported, 2u);
    std::map<std::string, std::string> rejected;
    for (const auto& [label, reason] : result.rejected) {
        rejected[fs::path(label).filename().string()] = reason;
    }
    EXPECT_NE(rejected["unrelated_clip.npy"].find("no manifest file"), std::string::npos);
    EXPECT_NE(rejected["section_00_source_test_anomaly_0000_noAttribute.npy"].find(
                  "dims 5 differ from the majority 6"),
              std::string::npos);
    EXPECT_NE(rejected["section_00_target_test_normal_0000_noAttribute.npy"].find("wrong rank"),
              std::string::npos);
    // The basename-only file matches fan and pump: it is reported as ambiguous.
    EXPECT_NE(rejected["section_00_source_train_normal_0000_noAttribute.npy"].find("ambiguous"),
              std::string::npos);

    const dataset::Manifest manifest = dataset::read_manifest(fixture.work / "manifest.csv");
    const FeatureFile file = open_workspace_features(fixture.work, "openl3", manifest);
    EXPECT_EQ(file.attribute("source"), "import");
    EXPECT_DOUBLE_EQ(file.h5().attribute_double("hop_seconds"), 0.1);
    const auto id_0 =
        find_file(manifest, "fan/train/section_00_source_train_normal_0000_noAttribute.wav");
    const auto id_1 =
        find_file(manifest, "fan/train/section_00_source_train_normal_0001_noAttribute.wav");
    EXPECT_EQ(file.read_file(id_0), fan_train_0);
    EXPECT_EQ(file.read_file(id_1), fan_train_1);
    for (const float energy : file.read_energy()) {
        EXPECT_EQ(energy, 0.0f);
    }
    const auto anomaly =
        find_file(manifest, "fan/test/section_00_source_test_anomaly_0000_noAttribute.wav");
    EXPECT_TRUE(file.file_status()[anomaly].starts_with("rejected: dims 5"))
        << file.file_status()[anomaly];
    const auto pump =
        find_file(manifest, "pump/train/section_00_source_train_normal_0000_noAttribute.wav");
    EXPECT_EQ(file.file_frames(pump), 0);
    EXPECT_EQ(result.missing.size(), manifest.size() - 2);

    // The features stage accepts the imported name and checks it against the manifest.
    FeaturesOptions features = fixture.features_options();
    features.reps = {"openl3"};
    const FeaturesResult checked = run_features(features);
    EXPECT_EQ(checked.up_to_date, std::vector<std::string>{"openl3"});
    EXPECT_EQ(checked.computed, 0u);

    options.name = "log_mel";
    EXPECT_THROW(run_import(options), UsageError);
    options.name = "openl3";
    options.hop_seconds = 0;
    EXPECT_THROW(run_import(options), UsageError);
}

// Writes a .npy file whose header declares `shape` ("3, 8") of `descr` values and whose data
// is `data` as given, whatever the shape declares.
void write_raw_npy(const fs::path& path, const std::string& descr, const std::string& shape,
                   const std::string& data) {
    fs::create_directories(path.parent_path());
    std::string header =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
    while ((10 + header.size() + 1) % 64 != 0) {
        header += ' ';
    }
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const char length[2] = {static_cast<char>(header.size() & 0xff),
                            static_cast<char>(header.size() >> 8)};
    out.write(length, 2);
    out << header << data;
}

TEST(ImportStage, RejectsBadHeadersAndFloat32Overflow) {
    const Fixture fixture("import-bad-npy");
    fixture.index();
    const fs::path npy = fixture.root / "embeddings";
    write_embedding(npy / "section_00_source_train_normal_0001_noAttribute.npy", 3, 8, 0);
    const std::string zeros(768, '\0');
    write_raw_npy(npy / "section_00_source_train_normal_0000_noAttribute.npy", "<f4",
                  "1000000000000, 8", zeros);
    write_raw_npy(npy / "section_00_source_test_anomaly_0000_noAttribute.npy", "<f4", "20000000, 8",
                  zeros);
    write_raw_npy(npy / "section_00_target_test_normal_0000_noAttribute.npy", "<f4", "-5, 8",
                  zeros);
    std::vector<double> overflowing(2 * 8, 1.0);
    overflowing[8 + 3] = 1e39;  // frame 1
    const std::vector<std::int64_t> shape{2, 8};
    store::write_npy(npy / "overflow/section_00_source_train_normal_0000_noAttribute.npy",
                     std::span<const double>(overflowing), shape);

    ImportOptions options;
    options.workspace = fixture.work;
    options.name = "embedding";
    options.source = npy;
    options.hop_seconds = 0.1;
    const ImportResult result = run_import(options);

    EXPECT_EQ(result.exit_code(), ExitCode::partial);
    EXPECT_EQ(result.imported, 1u);
    std::map<std::string, std::string> rejected;
    for (const auto& [label, reason] : result.rejected) {
        rejected[fs::path(label).lexically_relative(npy).generic_string()] = reason;
    }
    const std::string huge = rejected["section_00_source_train_normal_0000_noAttribute.npy"];
    EXPECT_NE(huge.find("declares shape (1000000000000, 8)"), std::string::npos) << huge;
    const std::string large = rejected["section_00_source_test_anomaly_0000_noAttribute.npy"];
    EXPECT_NE(large.find("of 640000000 bytes but the file holds 768"), std::string::npos) << large;
    const std::string negative = rejected["section_00_target_test_normal_0000_noAttribute.npy"];
    EXPECT_NE(negative.find("negative dim"), std::string::npos) << negative;
    const std::string overflow =
        rejected["overflow/section_00_source_train_normal_0000_noAttribute.npy"];
    EXPECT_NE(overflow.find("frame 1 holds 1e+39, beyond the float32 range"), std::string::npos)
        << overflow;
}

TEST(ImportStage, RejectsIntegerPaperData) {
    const Fixture fixture("import-int-paper");
    fixture.index();
    const dataset::Manifest manifest = dataset::read_manifest(fixture.work / "manifest.csv");
    const fs::path paper = fixture.root / "paper.h5";
    {
        store::H5File h5 = store::H5File::create(paper);
        const std::vector<std::int32_t> data(4 * 2, 7);
        h5.write_matrix<std::int32_t>("data", data, 4, 2);
        const std::vector<std::int64_t> idxs{0, 2};
        h5.write_matrix<std::int64_t>("data_idxs", idxs, 2, 1);
        h5.write_strings("metadata",
                         {nlohmann::json{{"path", manifest.records[0].relative_path}}.dump()});
    }
    ImportOptions options;
    options.workspace = fixture.work;
    options.name = "integers";
    options.source = paper;
    options.hop_seconds = 0.1;
    try {
        run_import(options);
        ADD_FAILURE() << "integer data was imported";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("holds integers"), std::string::npos)
            << error.what();
    }
}

TEST(MapStage, RecordsExactSeedAndManifest) {
    const Fixture fixture("map-seed");
    fixture.index_log_mel();

    MapStageOptions options;
    options.scope = MapScope::global;
    options.seed = 9007199254740993ull;  // 2^53 + 1, which a float64 rounds to 2^53
    options.umap.n_neighbors = 5;
    options.umap.n_epochs = 10;
    options.jobs = 1;
    const auto maps = run_map_stage(fixture.work, options);
    ASSERT_EQ(maps.size(), 1u);
    const store::MapData map = store::read_map(maps[0].path);
    ASSERT_TRUE(map.seed);
    EXPECT_EQ(*map.seed, 9007199254740993ull);
    const dataset::Manifest manifest = dataset::read_manifest(fixture.work / "manifest.csv");
    ASSERT_TRUE(map.text.contains("manifest_fingerprint"));
    EXPECT_EQ(map.text.at("manifest_fingerprint"), manifest.fingerprint);
    EXPECT_NO_THROW(store::check_map_manifest(maps[0].path, map.text, manifest.fingerprint));
}

TEST(MapStage, SmallAndFailingUnits) {
    const Fixture fixture("map-small");
    fixture.index_log_mel();
    // A leftover of a killed map run: no process has a pid above pid_max.
    long pid_max = 0;
    std::ifstream("/proc/sys/kernel/pid_max") >> pid_max;
    ASSERT_GT(pid_max, 0);
    const fs::path leftover = fixture.work / "maps" / ("x.h5.tmp-" + std::to_string(pid_max + 1));
    fs::create_directories(leftover.parent_path());
    std::ofstream(leftover) << "partial";

    // fan: 3 training and 3 test vectors, fewer than n_neighbors 15; pump has no training
    // file, so `--fit train` cannot map it, and the fan map must still be made.
    MapStageOptions options;
    options.scope = MapScope::device;
    options.fit = FitMode::train;
    options.max_train = 3;
    options.max_test = 3;
    options.umap.n_epochs = 10;
    options.jobs = 1;
    const auto maps = run_map_stage(fixture.work, options);
    ASSERT_EQ(maps.size(), 2u);
    EXPECT_EQ(maps[0].name, "log_mel_s1_device-fan-trainfit");
    EXPECT_EQ(maps[0].error, "");
    EXPECT_EQ(maps[0].points, 6);
    EXPECT_TRUE(std::isfinite(maps[0].trustworthiness));
    const store::MapData map = store::read_map(maps[0].path);
    EXPECT_EQ(map.numbers.at("quality_k"), 2.0);  // below 6 / 2
    EXPECT_EQ(maps[1].name, "log_mel_s1_device-pump-trainfit");
    EXPECT_NE(maps[1].error.find("training vectors"), std::string::npos) << maps[1].error;
    EXPECT_FALSE(fs::exists(maps[1].path));
    EXPECT_FALSE(fs::exists(leftover));

    // Only pump: the single unit's error is thrown.
    options.device = "pump";
    EXPECT_THROW(run_map_stage(fixture.work, options), Error);
}

TEST(ExportStage, RejectsWorkspaceDataPaths) {
    const fs::path root = testing::fresh_temp_dir("export-paths");
    const fs::path work = root / "work";
    fs::create_directories(work / "features");
    fs::create_directories(work / "plots");
    std::ofstream(work / "manifest.csv") << "path\n";
    fs::create_directory_symlink(work / "plots", root / "plots_link");
    fs::create_directory_symlink(work, root / "work_link");
    const fs::path rejected[] = {
        work / "manifest.csv",
        work / "skipped.csv",
        work / "report.html",
        work / "features" / "log_mel.h5",
        work / "features",
        work / "maps" / "new" / "x.h5",
        work / "scores" / "x.csv",
        work / "metrics" / "x.json",
        work / "ground_truth" / "x.csv",
        work / "exports" / ".parts" / "x.npy",
        work / "." / "maps" / "x.h5",
        work / "exports" / ".." / "manifest.csv",
        root / "plots_link" / "x.html",
        root / "work_link" / "features" / "log_mel.h5",
        work,
    };
    for (const fs::path& output : rejected) {
        EXPECT_THROW(check_export_path(work, output), UsageError) << output;
    }
    for (const fs::path& output : {work / "exports" / "x.h5", root / "out.h5", work / "a.npy"}) {
        EXPECT_NO_THROW(check_export_path(work, output)) << output;
    }
    try {
        check_export_path(work, work / "features" / "log_mel.h5");
    } catch (const UsageError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find((work / "features" / "log_mel.h5").string()), std::string::npos)
            << message;
    }
    fs::remove_all(root);
}

TEST(ExportStage, NpyAndPaperLayoutRoundTrip) {
    const Fixture fixture("export");
    fixture.index();
    run_features(fixture.features_options());
    const dataset::Manifest manifest = dataset::read_manifest(fixture.work / "manifest.csv");
    const FeatureFile mel = open_workspace_features(fixture.work, "log_mel", manifest);
    const std::vector<float> all_rows = mel.read_rows(0, mel.frame_count());

    const fs::path npy = fixture.root / "npy";
    export_npy(mel, manifest, npy);
    const store::NpyArray data = store::read_npy(npy / "data.npy");
    EXPECT_EQ(data.type, store::NpyType::float32);
    EXPECT_EQ(data.shape, (std::vector<std::int64_t>{mel.frame_count(), 128}));
    EXPECT_EQ(data.as_float(), all_rows);
    const store::NpyArray offsets = store::read_npy(npy / "file_offsets.npy");
    EXPECT_EQ(offsets.type, store::NpyType::int64);
    ASSERT_EQ(offsets.values.size(), mel.file_offsets().size());
    for (std::size_t i = 0; i < offsets.values.size(); ++i) {
        EXPECT_EQ(static_cast<std::int64_t>(offsets.values[i]), mel.file_offsets()[i]);
    }
    EXPECT_EQ(store::read_npy(npy / "energy.npy").as_float(), mel.read_energy());
    EXPECT_TRUE(fs::exists(npy / "files.csv"));

    const fs::path paper = fixture.root / "paper.h5";
    export_paper(mel, manifest, paper);
    {
        const store::H5File h5 = store::H5File::open(paper);
        const store::Shape shape = h5.shape("data");
        EXPECT_EQ(shape.rows, 128);
        EXPECT_EQ(shape.cols, mel.frame_count());
        const std::vector<float> transposed = h5.read<float>("data");
        const auto frames = static_cast<std::size_t>(mel.frame_count());
        for (std::size_t f = 0; f < frames; f += 7) {
            for (std::size_t d = 0; d < 128; d += 13) {
                ASSERT_EQ(transposed[d * frames + f], all_rows[f * 128 + d]);
            }
        }
        const std::vector<std::int64_t> idxs = h5.read<std::int64_t>("data_idxs");
        const std::size_t files = manifest.size();
        ASSERT_EQ(idxs.size(), 2 * files);
        for (std::size_t i = 0; i < files; ++i) {
            EXPECT_EQ(idxs[i], mel.file_offsets()[i]);
            EXPECT_EQ(idxs[files + i], mel.file_offsets()[i + 1]);
        }
        const auto metadata = h5.read_strings("metadata");
        ASSERT_EQ(metadata.size(), files);
        const auto first = nlohmann::json::parse(metadata[0]);
        EXPECT_EQ(first["path"], manifest.records[0].relative_path);
        EXPECT_EQ(first["device"], manifest.records[0].name.device);
        EXPECT_EQ(first["section"], "00");
        EXPECT_EQ(first["split"], std::string(dataset::to_string(manifest.records[0].name.split)));
    }

    // Importing the paper file back gives the same rows and statuses for readable files.
    ImportOptions options;
    options.workspace = fixture.work;
    options.name = "mel_again";
    options.source = paper;
    options.hop_seconds = 0.032;
    const ImportResult imported = run_import(options);
    EXPECT_EQ(imported.imported, manifest.size());
    const FeatureFile again = open_workspace_features(fixture.work, "mel_again", manifest);
    EXPECT_EQ(again.read_rows(0, again.frame_count()), all_rows);
    EXPECT_EQ(again.file_offsets(), mel.file_offsets());
}

}  // namespace
}  // namespace uadscope::pipeline
