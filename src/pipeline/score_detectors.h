#pragma once

// The detector part of `uadscope score`: scoring one (device, section), writing its score
// and decision files, and evaluating a scores folder with the official evaluators' reader
// and metrics (see score_stage.h for the file layout).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/dcase_metrics.h"
#include "analysis/knn_detector.h"
#include "dataset/manifest.h"
#include "neighbors/knn_graph.h"
#include "pipeline/score_vectors.h"

namespace uadscope::pipeline {

// Machine type names in score files, ground truth and metrics rows. A device name can occur
// under several naming schemes (a DCASE 2020 fan and a DCASE 2022 fan), whose sections are
// unrelated, so such a name gets "-<scheme>" appended, as map names do ("fan-dcase2020").
class DeviceNames {
  public:
    explicit DeviceNames(const dataset::Manifest& manifest);

    // The record's device name, with "-<scheme>" when the device name alone is ambiguous.
    std::string of(const dataset::FileRecord& record) const;

  private:
    std::set<std::string> ambiguous_;
};

// A machine section and its files (manifest rows, in increasing order).
struct ScoreSection {
    std::string device;  // DeviceNames::of its files
    int section = 0;     // 0 for schemes without sections
    std::vector<std::int32_t> train_files;
    std::vector<std::int32_t> test_files;
};

// Section number used in file names: the record's section, or 0 when its scheme has none.
int section_number(const dataset::FileRecord& record);

// The sections of the non-external, readable train and test files of `manifest`, sorted by
// device and section. `file_filter` (sorted manifest rows) and `device` (a device name, or
// a name of DeviceNames) restrict them when not empty.
std::vector<ScoreSection> score_sections(const dataset::Manifest& manifest,
                                         const std::vector<std::int32_t>& file_filter,
                                         const std::string& device);

struct DetectorSettings {
    analysis::DetectorKind kind = analysis::DetectorKind::knn;
    int k = analysis::default_detector_k;
    analysis::FileAggregate aggregate = analysis::FileAggregate::mean;
    bool per_domain = false;
    double threshold_quantile = 0.9;
    neighbors::KnnOptions knn;
};

// The score of one scored vector.
struct VectorScore {
    std::int32_t file = 0;
    std::int32_t frame = 0;
    std::int64_t point = -1;  // map point, or -1 for all-frame vectors
    float score = 0;
};

// One reference set of a section's detector and its duplicates.
struct ReferenceSummary {
    std::string domain;  // "all", or the domain of a per-domain reference
    int k = 0;
    analysis::DuplicateSummary duplicates;
};

struct SectionScores {
    analysis::FileScores test;   // every test file with vectors
    analysis::FileScores train;  // leave-one-file-out scores of the training files
    std::optional<double> threshold;
    std::vector<ReferenceSummary> references;
    std::vector<VectorScore> vectors;  // test and training vectors
    std::int64_t train_vectors = 0;
};

// Fits the section's detector(s) on its training vectors and scores its test vectors and
// (leave-one-file-out) its training vectors. Throws Error when the section has fewer than 2
// training vectors.
SectionScores score_section(const ScoreSection& section, const VectorSource& source,
                            const dataset::Manifest& manifest, const DetectorSettings& settings);

// "anomaly_score_<device>_section_<NN>_test.csv" and its "decision_result_" twin.
std::string anomaly_score_file_name(const std::string& device, int section);
std::string decision_file_name(const std::string& device, int section);

// Writes the section's score file and, when a threshold exists, its decision file (or
// removes a stale one). Rows are in file-name order.
void write_section_scores(const std::filesystem::path& folder, const ScoreSection& section,
                          const SectionScores& scores, const dataset::Manifest& manifest);

// Writes `contents` to `path` atomically unless the file already has exactly that content.
// Returns true when it wrote.
bool write_if_changed(const std::filesystem::path& path, std::string_view contents);

struct FolderEvaluation {
    std::optional<analysis::DcaseResult> result;  // empty without labelled scored files
    std::filesystem::path ground_truth;           // WORK/ground_truth/<name>
    std::filesystem::path table;                  // <folder>/result.csv
};

// Writes the ground truth of every section that has a score file in `folder` (its labelled
// test files that have a score), reads scores and ground truth with the official
// evaluators' reader and writes result.csv and result.json into `folder`. `edition` as in
// ScoreStageOptions::edition.
FolderEvaluation evaluate_score_folder(const std::filesystem::path& work,
                                       const std::filesystem::path& folder,
                                       const dataset::Manifest& manifest,
                                       const std::string& edition, int jobs);

}  // namespace uadscope::pipeline
