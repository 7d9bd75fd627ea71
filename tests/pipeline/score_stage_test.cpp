// `uadscope score` on a synthetic workspace: detector scores against brute force, decision
// thresholds, SEP and DSUP rows, undefined values, resuming and failing sections.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/random.h"
#include "dataset/manifest.h"
#include "pipeline/feature_file.h"
#include "pipeline/score_detectors.h"
#include "pipeline/score_stage.h"
#include "store/map_file.h"

namespace uadscope::pipeline {
namespace {

namespace fs = std::filesystem;
using dataset::Domain;
using dataset::Label;
using dataset::Split;

constexpr std::int64_t dims = 4;
constexpr std::int64_t frames_per_file = 12;
const std::string map_stem = "log_mel_s1_device-fan";

struct SyntheticFile {
    std::string device;
    Domain domain;
    Split split;
    Label label;
    std::vector<float> rows;  // [frames_per_file, dims]
    std::string name;
};

// fan section 00: training files of both domains, labelled test files of both domains with
// a single anomalous target file (too few for SEP), and a pump section with test files only.
struct Workspace {
    fs::path work;
    std::vector<SyntheticFile> files;

    // With `repeat_train_frames`, every frame of a training file equals its first frame, so
    // each training vector has 11 identical copies.
    explicit Workspace(const std::string& test_name, bool repeat_train_frames = false) {
        work = testing::fresh_temp_dir("score-" + test_name);
        Rng rng(17);
        int index = 0;
        auto add = [&](const std::string& device, Domain domain, Split split, Label label,
                       int count, double shift) {
            for (int i = 0; i < count; ++i, ++index) {
                SyntheticFile file{device, domain, split, label, {}, {}};
                // Domain shift on the first axis; anomalies move on every axis.
                const double offset = domain == Domain::target ? 1.5 : 0.0;
                for (std::int64_t v = 0; v < frames_per_file * dims; ++v) {
                    const double base = (v % dims == 0 ? offset : 0.0) + shift;
                    file.rows.push_back(static_cast<float>(base + rng.normal()));
                }
                if (repeat_train_frames && split == Split::train) {
                    for (std::size_t v = dims; v < file.rows.size(); ++v) {
                        file.rows[v] = file.rows[v % dims];
                    }
                }
                file.name =
                    fmt::format("section_00_{}_{}_{}_{:04d}_a_1.wav", dataset::to_string(domain),
                                dataset::to_string(split), dataset::to_string(label), index);
                files.push_back(std::move(file));
            }
        };
        add("fan", Domain::source, Split::train, Label::normal, 6, 0.0);
        add("fan", Domain::target, Split::train, Label::normal, 3, 0.0);
        add("fan", Domain::source, Split::test, Label::normal, 4, 0.0);
        add("fan", Domain::source, Split::test, Label::anomaly, 4, 4.0);
        add("fan", Domain::target, Split::test, Label::normal, 3, 0.0);
        add("fan", Domain::target, Split::test, Label::anomaly, 1, 4.0);
        add("pump", Domain::source, Split::test, Label::normal, 2, 0.0);

        std::vector<dataset::FileRecord> records;
        for (std::size_t i = 0; i < files.size(); ++i) {
            const SyntheticFile& file = files[i];
            dataset::FileRecord record;
            record.file_id = static_cast<std::int64_t>(i);
            record.relative_path =
                file.device + "/" + std::string(dataset::to_string(file.split)) + "/" + file.name;
            record.path = "/synthetic/" + record.relative_path;
            record.dataset = "dev";
            record.name.scheme = "dcase2022";
            record.name.device = file.device;
            record.name.section = 0;
            record.name.domain = file.domain;
            record.name.split = file.split;
            record.name.label = file.label;
            record.name.index = static_cast<std::int64_t>(i);
            record.sample_rate = 16000;
            record.channels = 1;
            record.frames = 16000;
            record.format = "synthetic";
            records.push_back(record);
        }
        dataset::write_manifest(work / "manifest.csv", records);
        const auto manifest = dataset::read_manifest(work / "manifest.csv");

        FeatureFileWriter writer(work / "features" / "log_mel.h5", dims);
        const std::vector<float> energy(frames_per_file, 1.0f);
        for (std::size_t i = 0; i < files.size(); ++i) {
            writer.append_file(static_cast<std::int32_t>(i), records[i].relative_path, "ok",
                               files[i].rows, energy);
        }
        writer.file().set_attribute("manifest_fingerprint", manifest.fingerprint);
        writer.file().set_attribute("rep", "log_mel");
        writer.commit();

        // The "map" is the first two feature columns of every frame.
        store::MapData map;
        for (std::size_t i = 0; i < files.size(); ++i) {
            for (std::int64_t frame = 0; frame < frames_per_file; ++frame) {
                map.embedding.push_back(files[i].rows[static_cast<std::size_t>(frame * dims)]);
                map.embedding.push_back(files[i].rows[static_cast<std::size_t>(frame * dims + 1)]);
                map.file_id.push_back(static_cast<std::int32_t>(i));
                map.frame.push_back(static_cast<std::int32_t>(frame));
                map.fitted.push_back(1);
            }
        }
        map.points = static_cast<std::int64_t>(map.file_id.size());
        map.text = {{"rep", "log_mel"}, {"scope", "device-fan"}, {"fit", "joint"}};
        map.numbers = {{"stack", 1}, {"seed", 3}, {"max_train", 0}, {"max_test", 0}};
        store::write_map(work / "maps" / (map_stem + ".h5"), map);
    }

    ~Workspace() {
        std::error_code error;
        fs::remove_all(work, error);
    }

    std::vector<std::size_t> indices(Split split, const std::string& device = "fan") const {
        std::vector<std::size_t> result;
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (files[i].split == split && files[i].device == device) {
                result.push_back(i);
            }
        }
        return result;
    }

    // Mean distance of `query` [columns] to its k nearest frames among `reference` files,
    // skipping file `skip` (-1: none), in the first `columns` feature columns.
    double knn_distance(const float* query, const std::vector<std::size_t>& reference, int k,
                        std::int64_t skip, std::int64_t columns) const {
        std::vector<double> distances;
        for (const std::size_t file : reference) {
            if (static_cast<std::int64_t>(file) == skip) {
                continue;
            }
            for (std::int64_t frame = 0; frame < frames_per_file; ++frame) {
                const float* row = files[file].rows.data() + frame * dims;
                double sum = 0.0;
                for (std::int64_t j = 0; j < columns; ++j) {
                    sum += (static_cast<double>(query[j]) - row[j]) *
                           (static_cast<double>(query[j]) - row[j]);
                }
                distances.push_back(std::sqrt(sum));
            }
        }
        std::sort(distances.begin(), distances.end());
        double total = 0.0;
        for (int j = 0; j < k; ++j) {
            total += distances[static_cast<std::size_t>(j)];
        }
        return total / k;
    }

    // Brute-force file score: mean over frames of the minimum over `references` of the kNN
    // distance.
    double file_score(std::size_t file, const std::vector<std::vector<std::size_t>>& references,
                      int k, bool leave_file_out, std::int64_t columns) const {
        double total = 0.0;
        for (std::int64_t frame = 0; frame < frames_per_file; ++frame) {
            const float* query = files[file].rows.data() + frame * dims;
            double best = INFINITY;
            for (const auto& reference : references) {
                best = std::min(
                    best,
                    knn_distance(query, reference, k,
                                 leave_file_out ? static_cast<std::int64_t>(file) : -1, columns));
            }
            total += best;
        }
        return total / frames_per_file;
    }
};

std::map<std::string, double> read_scores(const fs::path& path) {
    std::map<std::string, double> scores;
    for (const auto& row : read_csv(path, false).rows) {
        scores[row.at(0)] = std::stod(row.at(1));
    }
    return scores;
}

ScoreStageOptions base_options() {
    ScoreStageOptions options;
    options.maps = {map_stem};
    options.k = 3;
    options.knn = neighbors::KnnMethod::exact;
    options.plot = false;
    options.jobs = 2;
    return options;
}

double linear_quantile_of(std::vector<double> values, double q) {
    std::sort(values.begin(), values.end());
    const double position = q * static_cast<double>(values.size() - 1);
    const auto lower = static_cast<std::size_t>(position);
    if (lower + 1 >= values.size()) {
        return values.back();
    }
    return values[lower] +
           (position - static_cast<double>(lower)) * (values[lower + 1] - values[lower]);
}

TEST(ScoreStage, OriginalSpaceMatchesBruteForce) {
    const Workspace workspace("original");
    ScoreStageOptions options = base_options();
    options.space = ScoreSpace::original;
    options.metrics = false;
    const ScoreStageResult result = run_score_stage(workspace.work, options);
    ASSERT_EQ(result.detectors.size(), 1u);
    EXPECT_EQ(result.detectors[0].name, "knn-k3_log_mel_s1_original");
    // The pump section has no training files: logged and skipped without a score file, and
    // not counted as a failure.
    EXPECT_EQ(result.detectors[0].skipped_sections, 1);
    EXPECT_EQ(result.detectors[0].failed_sections, 0);
    EXPECT_EQ(result.exit_code(), 0);

    const fs::path folder = workspace.work / "scores" / "knn-k3_log_mel_s1_original";
    EXPECT_FALSE(fs::exists(folder / "anomaly_score_pump_section_00_test.csv"));
    const auto scores = read_scores(folder / "anomaly_score_fan_section_00_test.csv");
    const auto train = workspace.indices(Split::train);
    ASSERT_EQ(scores.size(), workspace.indices(Split::test).size());
    for (const std::size_t file : workspace.indices(Split::test)) {
        const double expected = workspace.file_score(file, {train}, 3, false, dims);
        // float32 graph distances: relative error about 1e-7.
        EXPECT_NEAR(scores.at(workspace.files[file].name), expected, 1e-5) << "file " << file;
    }

    // Threshold: the 0.9 quantile of the training files' leave-one-file-out scores.
    std::vector<double> train_scores;
    for (const std::size_t file : train) {
        train_scores.push_back(workspace.file_score(file, {train}, 3, true, dims));
    }
    const double threshold = linear_quantile_of(train_scores, 0.9);
    const auto decisions = read_scores(folder / "decision_result_fan_section_00_test.csv");
    for (const auto& [name, score] : scores) {
        EXPECT_EQ(decisions.at(name), score > threshold ? 1.0 : 0.0) << name;
    }
    EXPECT_TRUE(fs::exists(folder / "result.csv"));
    EXPECT_TRUE(fs::exists(workspace.work / "ground_truth" / "knn-k3_log_mel_s1_original" /
                           "ground_truth_data" / "ground_truth_fan_section_00_test.csv"));
    ASSERT_TRUE(result.detectors[0].official_score.has_value());
    EXPECT_GT(*result.detectors[0].official_score, 0.8);
}

TEST(ScoreStage, PerDomainTakesMinimum) {
    const Workspace workspace("per-domain");
    ScoreStageOptions options = base_options();
    options.space = ScoreSpace::original;
    options.per_domain = true;
    options.metrics = false;
    run_score_stage(workspace.work, options);
    std::vector<std::size_t> source;
    std::vector<std::size_t> target;
    for (const std::size_t file : workspace.indices(Split::train)) {
        (workspace.files[file].domain == Domain::source ? source : target).push_back(file);
    }
    const auto scores =
        read_scores(workspace.work / "scores" / "knn-k3-domain_log_mel_s1_original" /
                    "anomaly_score_fan_section_00_test.csv");
    for (const std::size_t file : workspace.indices(Split::test)) {
        const double expected = workspace.file_score(file, {source, target}, 3, false, dims);
        EXPECT_NEAR(scores.at(workspace.files[file].name), expected, 1e-5) << "file " << file;
    }
}

TEST(ScoreStage, MapSpaceUsesCoordinates) {
    const Workspace workspace("map-space");
    ScoreStageOptions options = base_options();
    options.metrics = false;
    options.aggregate = analysis::FileAggregate::max;
    const ScoreStageResult result = run_score_stage(workspace.work, options);
    ASSERT_EQ(result.detectors.size(), 1u);
    EXPECT_EQ(result.detectors[0].name, "knn-k3-max_log_mel_s1_map-device-fan");
    const auto scores =
        read_scores(result.detectors[0].folder / "anomaly_score_fan_section_00_test.csv");
    const auto train = workspace.indices(Split::train);
    for (const std::size_t file : workspace.indices(Split::test)) {
        double expected = 0.0;
        for (std::int64_t frame = 0; frame < frames_per_file; ++frame) {
            expected = std::max(
                expected, workspace.knn_distance(workspace.files[file].rows.data() + frame * dims,
                                                 train, 3, -1, 2));
        }
        EXPECT_NEAR(scores.at(workspace.files[file].name), expected, 1e-5) << "file " << file;
    }
}

// A map made before the dataset was indexed again has another manifest fingerprint, or
// names files the manifest no longer has. The error names the map and the command to rerun.
TEST(ScoreStage, MapOfOtherManifestFailsNamingIt) {
    const Workspace workspace("stale-map");
    const fs::path map_path = workspace.work / "maps" / (map_stem + ".h5");
    store::MapData map = store::read_map(map_path);
    map.text["manifest_fingerprint"] = "0123456789abcdef";
    store::write_map(map_path, map);
    ScoreStageOptions options = base_options();
    options.metrics = false;
    try {
        run_score_stage(workspace.work, options);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("another manifest.csv"), std::string::npos)
            << error.what();
    }

    map.text.erase("manifest_fingerprint");
    map.file_id.back() = 100000;
    store::write_map(map_path, map);
    try {
        run_score_stage(workspace.work, options);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("refers to file 100000"), std::string::npos)
            << error.what();
    }
}

TEST(ScoreStage, UnknownDeviceIsRejected) {
    const Workspace workspace("unknown-device");
    ScoreStageOptions options = base_options();
    options.device = "nosuch";
    EXPECT_THROW(run_score_stage(workspace.work, options), UsageError);
}

TEST(ScoreStage, MapNameWithFoldersIsRejected) {
    const Workspace workspace("map-name");
    ScoreStageOptions options = base_options();
    options.maps = {"../../other/maps/" + map_stem};
    EXPECT_THROW(run_score_stage(workspace.work, options), UsageError);
}

TEST(ScoreStage, MetricsRowsAndUndefinedValues) {
    const Workspace workspace("metrics");
    ScoreStageOptions options = base_options();
    options.space = ScoreSpace::both;
    const ScoreStageResult result = run_score_stage(workspace.work, options);
    ASSERT_EQ(result.metrics.size(), 1u);
    EXPECT_FALSE(result.metrics[0].reused);
    const auto document =
        nlohmann::json::parse(read_file(workspace.work / "metrics" / (map_stem + ".json")));
    EXPECT_EQ(document["map"], map_stem);
    EXPECT_EQ(document["rep"], "log_mel");
    EXPECT_EQ(document["stack"], 1);
    EXPECT_EQ(document["seed"], 3);
    EXPECT_EQ(document["sample_sizes"]["fan/00/source/train/normal"], 6 * frames_per_file);
    // fan: 2 domains x 2 spaces; pump: its source domain x 2 spaces.
    ASSERT_EQ(document["sep"].size(), 6u);
    for (const auto& row : document["sep"]) {
        if (row["device"] == "pump") {
            // Normal test files only.
            EXPECT_TRUE(row["balanced_accuracy"].is_null()) << row.dump();
            EXPECT_EQ(row["anomaly_files"], 0);
        } else if (row["domain"] == "source") {
            ASSERT_TRUE(row["balanced_accuracy"].is_number()) << row.dump();
            // Anomalies sit 4 standard deviations away on every axis.
            EXPECT_GT(row["balanced_accuracy"].get<double>(), 0.95) << row.dump();
            EXPECT_TRUE(row["undefined_reason"].is_null());
        } else {
            // One anomalous target file: undefined, never 0.5.
            EXPECT_TRUE(row["balanced_accuracy"].is_null()) << row.dump();
            EXPECT_TRUE(row["hinge_slack"].is_null());
            EXPECT_EQ(row["anomaly_files"], 1);
            EXPECT_TRUE(row["undefined_reason"].is_string());
        }
    }
    ASSERT_EQ(document["dsup"].size(), 6u);
    for (const auto& row : document["dsup"]) {
        if (row["device"] == "pump") {
            // No training data and no anomalies.
            EXPECT_TRUE(row["auc"].is_null()) << row.dump();
            EXPECT_TRUE(row["coverage"].is_null()) << row.dump();
            EXPECT_TRUE(row["undefined_reason"].is_string());
            continue;
        }
        ASSERT_TRUE(row["auc"].is_number()) << row.dump();
        EXPECT_GT(row["auc"].get<double>(), 0.9) << row.dump();
        ASSERT_TRUE(row["coverage"].is_number());
        EXPECT_GE(row["coverage"].get<double>(), 0.0);
        EXPECT_LE(row["coverage"].get<double>(), 1.0);
        EXPECT_EQ(row["train_files"], 9);
    }
    // The detectors' rows: the fan section in both domains for each space.
    EXPECT_EQ(document["detectors"].size(), 4u);
    EXPECT_EQ(document["official_scores"].size(), 2u);
    const CsvTable csv = read_csv(workspace.work / "metrics" / (map_stem + ".csv"));
    EXPECT_EQ(csv.rows.size(), 6u);
    const std::size_t accuracy = csv.column("sep_balanced_accuracy");
    for (const auto& row : csv.rows) {
        const bool undefined =
            row[csv.column("domain")] == "target" || row[csv.column("device")] == "pump";
        EXPECT_EQ(row[accuracy].empty(), undefined);
        EXPECT_EQ(row[csv.column("sep_train_hinge_slack")].empty(), undefined);
        // Every row names its representation, stack, scope and seeds.
        EXPECT_EQ(row[csv.column("rep")], "log_mel");
        EXPECT_EQ(row[csv.column("stack")], "1");
        EXPECT_EQ(row[csv.column("scope")], "device-fan");
        EXPECT_EQ(row[csv.column("map_seed")], "3");
        EXPECT_EQ(row[csv.column("seed")], "0");
    }
    for (const auto& row : document["sep"]) {
        if (row["balanced_accuracy"].is_number()) {
            ASSERT_TRUE(row["train_hinge_slack"].is_number()) << row.dump();
            EXPECT_GE(row["train_hinge_slack"].get<double>(), 0.0);
        }
    }
}

TEST(ScoreStage, RerunReusesEverything) {
    const Workspace workspace("rerun");
    ScoreStageOptions options = base_options();
    options.space = ScoreSpace::both;
    options.device = "fan";
    options.plot = true;
    const ScoreStageResult first = run_score_stage(workspace.work, options);
    EXPECT_EQ(first.failures, 0);
    EXPECT_EQ(first.plots.size(), 2u);
    for (const auto& plot : first.plots) {
        EXPECT_TRUE(fs::exists(plot)) << plot;
    }
    std::map<fs::path, fs::file_time_type> times;
    for (const auto& entry : fs::recursive_directory_iterator(workspace.work)) {
        if (entry.is_regular_file()) {
            times[entry.path()] = entry.last_write_time();
        }
    }
    const ScoreStageResult second = run_score_stage(workspace.work, options);
    ASSERT_EQ(second.detectors.size(), 2u);
    EXPECT_TRUE(second.detectors[0].reused);
    EXPECT_TRUE(second.detectors[1].reused);
    EXPECT_EQ(second.detectors[0].files_scored, 0);
    ASSERT_EQ(second.metrics.size(), 1u);
    EXPECT_TRUE(second.metrics[0].reused);
    EXPECT_TRUE(second.plots.empty());
    for (const auto& [path, time] : times) {
        EXPECT_EQ(fs::last_write_time(path), time) << path;
    }

    // A changed parameter recomputes; a second detector keeps the first one's rows.
    options.detector = analysis::DetectorKind::lof;
    options.space = ScoreSpace::map;
    const ScoreStageResult third = run_score_stage(workspace.work, options);
    ASSERT_EQ(third.detectors.size(), 1u);
    EXPECT_FALSE(third.detectors[0].reused);
    EXPECT_TRUE(third.metrics[0].reused);
    const auto document =
        nlohmann::json::parse(read_file(workspace.work / "metrics" / (map_stem + ".json")));
    EXPECT_EQ(document["detectors"].size(), 6u);
}

TEST(ScoreStage, InvalidOptionsThrow) {
    const Workspace workspace("invalid");
    ScoreStageOptions options = base_options();
    options.rep = "log_mel";
    EXPECT_THROW(run_score_stage(workspace.work, options), UsageError);
    options = base_options();
    options.k = 0;
    EXPECT_THROW(run_score_stage(workspace.work, options), UsageError);
    options = base_options();
    options.maps = {"no_such_map"};
    EXPECT_THROW(run_score_stage(workspace.work, options), Error);
    options = base_options();
    options.maps.clear();
    options.rep = "log_mel";
    options.space = ScoreSpace::map;
    EXPECT_THROW(run_score_stage(workspace.work, options), UsageError);
    options.space.reset();
    options.rep = "missing_rep";
    EXPECT_THROW(run_score_stage(workspace.work, options), Error);
    EXPECT_THROW(parse_score_space("both-ways"), UsageError);
}

TEST(ScoreStage, RepWithoutMapScoresEveryDevice) {
    const Workspace workspace("rep");
    ScoreStageOptions options = base_options();
    options.maps.clear();
    options.rep = "log_mel";
    options.stack = 2;
    options.stride = 2;
    const ScoreStageResult result = run_score_stage(workspace.work, options);
    ASSERT_EQ(result.detectors.size(), 1u);
    EXPECT_EQ(result.detectors[0].name, "knn-k3_log_mel_s2_original-stride2");
    EXPECT_TRUE(result.metrics.empty());
    EXPECT_EQ(result.detectors[0].sections, 2);
    EXPECT_EQ(result.detectors[0].skipped_sections, 1);  // pump has no training files
    EXPECT_EQ(result.detectors[0].failed_sections, 0);
    const auto scores =
        read_scores(result.detectors[0].folder / "anomaly_score_fan_section_00_test.csv");
    EXPECT_EQ(scores.size(), workspace.indices(Split::test).size());
}

TEST(ScoreStage, DuplicateTrainingDataIsReported) {
    const Workspace workspace("duplicates", true);
    ScoreStageOptions options = base_options();
    options.detector = analysis::DetectorKind::lof;
    options.metrics = false;
    const ScoreStageResult result = run_score_stage(workspace.work, options);
    EXPECT_EQ(result.failures, 0);
    const auto document =
        nlohmann::json::parse(read_file(workspace.work / "metrics" / (map_stem + ".json")));
    ASSERT_EQ(document["duplicates"].size(), 1u);
    const auto& row = document["duplicates"][0];
    EXPECT_EQ(row["device"], "fan");
    EXPECT_EQ(row["reference"], "all");
    // 9 training files of 12 identical frames: every vector has k = 3 identical neighbours.
    EXPECT_EQ(row["train_vectors"], 9 * frames_per_file);
    EXPECT_EQ(row["zero_k_distance"], 9 * frames_per_file);
    EXPECT_DOUBLE_EQ(row["zero_k_distance_fraction"].get<double>(), 1.0);
    // LOF stays finite on such data.
    const auto scores =
        read_scores(result.detectors[0].folder / "anomaly_score_fan_section_00_test.csv");
    for (const auto& [name, score] : scores) {
        EXPECT_TRUE(std::isfinite(score)) << name;
    }
}

TEST(ScoreStage, PartialRerunKeepsOtherSpaceRows) {
    const Workspace workspace("partial-rerun");
    ScoreStageOptions options = base_options();
    options.space = ScoreSpace::both;
    options.metrics = false;
    run_score_stage(workspace.work, options);

    // A newer feature file recomputes the original space; the map space is kept, and so
    // are its duplicate rows.
    const fs::path features = workspace.work / "features" / "log_mel.h5";
    fs::last_write_time(features, fs::last_write_time(features) + std::chrono::seconds(5));
    const ScoreStageResult second = run_score_stage(workspace.work, options);
    ASSERT_EQ(second.detectors.size(), 2u);
    EXPECT_FALSE(second.detectors[0].reused);
    EXPECT_TRUE(second.detectors[1].reused);
    const auto document =
        nlohmann::json::parse(read_file(workspace.work / "metrics" / (map_stem + ".json")));
    std::map<std::string, int> duplicate_rows;
    for (const auto& row : document["duplicates"]) {
        ++duplicate_rows[row["scores"].get<std::string>()];
    }
    EXPECT_EQ(duplicate_rows["knn-k3_log_mel_s1_original"], 1);
    EXPECT_EQ(duplicate_rows["knn-k3_log_mel_s1_map-device-fan"], 1);
}

TEST(ScoreSections, SchemesKeepDevicesApart) {
    // fan under two naming schemes and pump under one: the fan sections stay apart.
    dataset::Manifest manifest;
    auto add = [&](const std::string& device, const std::string& scheme, Split split) {
        dataset::FileRecord record;
        record.file_id = static_cast<std::int64_t>(manifest.records.size());
        record.path = fmt::format("/data/{}/{}/file_{}.wav", scheme, device, record.file_id);
        record.name.scheme = scheme;
        record.name.device = device;
        record.name.section = 0;
        record.name.split = split;
        record.name.label = Label::normal;
        manifest.records.push_back(record);
    };
    add("fan", "dcase2020", Split::train);
    add("fan", "dcase2020", Split::test);
    add("fan", "dcase2022", Split::train);
    add("fan", "dcase2022", Split::test);
    add("pump", "dcase2022", Split::test);

    const auto sections = score_sections(manifest, {}, "");
    ASSERT_EQ(sections.size(), 3u);
    EXPECT_EQ(sections[0].device, "fan-dcase2020");
    EXPECT_EQ(sections[0].train_files, std::vector<std::int32_t>({0}));
    EXPECT_EQ(sections[0].test_files, std::vector<std::int32_t>({1}));
    EXPECT_EQ(sections[1].device, "fan-dcase2022");
    EXPECT_EQ(sections[1].test_files, std::vector<std::int32_t>({3}));
    EXPECT_EQ(sections[2].device, "pump");

    // --device takes the plain name (both schemes) or the name with its scheme.
    EXPECT_EQ(score_sections(manifest, {}, "fan").size(), 2u);
    const auto one = score_sections(manifest, {}, "fan-dcase2022");
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].device, "fan-dcase2022");
}

TEST(ScoreStage, LabelledTestFilesDetected) {
    const Workspace workspace("labelled");
    auto manifest = dataset::read_manifest(workspace.work / "manifest.csv");
    EXPECT_TRUE(has_labelled_test_files(manifest));
    for (auto& record : manifest.records) {
        if (record.name.split == Split::test) {
            record.name.label = Label::unknown;
        }
    }
    EXPECT_FALSE(has_labelled_test_files(manifest));
}

}  // namespace
}  // namespace uadscope::pipeline
