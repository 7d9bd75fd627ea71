#include "pipeline/score_detectors.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "analysis/evaluator_input.h"
#include "analysis/evaluator_table.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

// Test files read and scored at once; bounds the memory of the original space.
constexpr std::size_t test_files_per_batch = 64;

int section_number(const dataset::FileRecord& record) {
    return std::max(record.name.section, 0);
}

DeviceNames::DeviceNames(const dataset::Manifest& manifest) {
    std::map<std::string, std::set<std::string>> schemes_of_device;
    for (const auto& record : manifest.records) {
        if (!record.external && !record.name.device.empty()) {
            schemes_of_device[record.name.device].insert(record.name.scheme);
        }
    }
    for (const auto& [device, schemes] : schemes_of_device) {
        if (schemes.size() > 1) {
            ambiguous_.insert(device);
        }
    }
}

std::string DeviceNames::of(const dataset::FileRecord& record) const {
    if (ambiguous_.contains(record.name.device)) {
        return record.name.device + "-" + record.name.scheme;
    }
    return record.name.device;
}

std::vector<ScoreSection> score_sections(const dataset::Manifest& manifest,
                                         const std::vector<std::int32_t>& file_filter,
                                         const std::string& device) {
    const DeviceNames names(manifest);
    std::map<std::pair<std::string, int>, ScoreSection> sections;
    auto add = [&](const dataset::FileRecord& record) {
        if (record.external || record.name.device.empty() || !record.readable()) {
            return;
        }
        const std::string name = names.of(record);
        if (!device.empty() && record.name.device != device && name != device) {
            return;
        }
        const bool train = record.name.split == dataset::Split::train;
        const bool test = record.name.split == dataset::Split::test;
        if (!train && !test) {
            return;
        }
        ScoreSection& section = sections[{name, section_number(record)}];
        section.device = name;
        section.section = section_number(record);
        (train ? section.train_files : section.test_files)
            .push_back(static_cast<std::int32_t>(record.file_id));
    };
    if (file_filter.empty()) {
        for (const auto& record : manifest.records) {
            add(record);
        }
    } else {
        for (const std::int32_t file : file_filter) {
            add(manifest.records.at(static_cast<std::size_t>(file)));
        }
    }
    std::vector<ScoreSection> result;
    for (auto& [key, section] : sections) {
        result.push_back(std::move(section));
    }
    return result;
}

namespace {

std::string file_name_of(const dataset::FileRecord& record) {
    return fs::path(record.path).filename().string();
}

struct FittedReference {
    std::string domain;
    analysis::NeighborDetector detector;
};

std::vector<FittedReference> fit_references(const ScoreSection& section, const VectorBatch& train,
                                            const dataset::Manifest& manifest,
                                            const DetectorSettings& settings) {
    std::vector<std::pair<std::string, std::vector<std::size_t>>> groups;
    if (settings.per_domain) {
        std::map<dataset::Domain, std::vector<std::size_t>> by_domain;
        for (std::size_t i = 0; i < train.size(); ++i) {
            by_domain[manifest.records[static_cast<std::size_t>(train.files[i])].name.domain]
                .push_back(i);
        }
        for (auto& [domain, rows] : by_domain) {
            groups.emplace_back(std::string(dataset::to_string(domain)), std::move(rows));
        }
    } else {
        std::vector<std::size_t> all(train.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            all[i] = i;
        }
        groups.emplace_back("all", std::move(all));
    }

    std::vector<FittedReference> references;
    for (const auto& [domain, rows] : groups) {
        if (rows.size() < 2) {
            spdlog::warn(
                "score {} section {:02d}: {} training vector(s) of domain {}; a "
                "reference needs 2, so this domain has no detector",
                section.device, section.section, rows.size(), domain);
            continue;
        }
        VectorBatch part;
        part.dims = train.dims;
        for (const std::size_t i : rows) {
            part.append(train, i);
        }
        analysis::ReferenceSet reference = analysis::ReferenceSet::build(
            part.values, part.size(), part.dims, part.files, settings.knn);
        references.push_back({domain, analysis::NeighborDetector::fit(std::move(reference),
                                                                      settings.kind, settings.k)});
    }
    if (references.empty()) {
        throw Error("no domain has 2 training vectors; the detector needs training data");
    }
    return references;
}

// Minimum score over the references; NaN where no reference could score a vector. With
// leave_file_out, each vector is scored without its own file's vectors, and a reference
// with fewer than k vectors outside that file skips it.
std::vector<double> score_vectors(const std::vector<FittedReference>& references,
                                  const VectorBatch& batch, bool leave_file_out) {
    std::vector<double> best(batch.size(), std::numeric_limits<double>::quiet_NaN());
    auto keep_minimum = [&](std::size_t row, double score) {
        if (std::isnan(best[row]) || score < best[row]) {
            best[row] = score;
        }
    };
    for (const auto& reference : references) {
        const auto& detector = reference.detector;
        if (!leave_file_out) {
            const auto scores = detector.score(batch.values, batch.size());
            for (std::size_t i = 0; i < batch.size(); ++i) {
                keep_minimum(i, scores[i]);
            }
            continue;
        }
        std::map<std::int32_t, std::vector<std::size_t>> rows_of_file;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            rows_of_file[batch.files[i]].push_back(i);
        }
        for (const auto& [file, rows] : rows_of_file) {
            if (detector.reference().vectors_outside(file) <
                static_cast<std::size_t>(detector.k())) {
                continue;
            }
            std::vector<float> values;
            for (const std::size_t i : rows) {
                const auto row = batch.row(i);
                values.insert(values.end(), row.begin(), row.end());
            }
            const std::vector<std::int32_t> files(rows.size(), file);
            const auto scores = detector.score(values, rows.size(), files);
            for (std::size_t r = 0; r < rows.size(); ++r) {
                keep_minimum(rows[r], scores[r]);
            }
        }
    }
    return best;
}

// Appends the finite scores of `batch` to `out` and returns their per-file aggregate.
analysis::FileScores collect(const VectorBatch& batch, const std::vector<double>& scores,
                             analysis::FileAggregate aggregate, std::vector<VectorScore>& out) {
    std::vector<double> kept_scores;
    std::vector<std::int32_t> kept_files;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (std::isnan(scores[i])) {
            continue;
        }
        kept_scores.push_back(scores[i]);
        kept_files.push_back(batch.files[i]);
        out.push_back(
            {batch.files[i], batch.frames[i], batch.points[i], static_cast<float>(scores[i])});
    }
    return analysis::aggregate_file_scores(kept_scores, kept_files, aggregate);
}

void append_file_scores(analysis::FileScores& to, const analysis::FileScores& from) {
    to.files.insert(to.files.end(), from.files.begin(), from.files.end());
    to.scores.insert(to.scores.end(), from.scores.begin(), from.scores.end());
    to.vectors.insert(to.vectors.end(), from.vectors.begin(), from.vectors.end());
}

}  // namespace

SectionScores score_section(const ScoreSection& section, const VectorSource& source,
                            const dataset::Manifest& manifest, const DetectorSettings& settings) {
    const VectorBatch train = source.read(section.train_files);
    if (train.size() < 2) {
        throw Error(fmt::format(
            "{} training vector(s) from {} training file(s); the detector needs at least 2 "
            "(check the features of the training files and the stack length)",
            train.size(), section.train_files.size()));
    }
    const std::vector<FittedReference> references =
        fit_references(section, train, manifest, settings);

    SectionScores result;
    result.train_vectors = static_cast<std::int64_t>(train.size());
    for (const auto& reference : references) {
        result.references.push_back(
            {reference.domain, reference.detector.k(), reference.detector.duplicates()});
    }

    result.train =
        collect(train, score_vectors(references, train, true), settings.aggregate, result.vectors);
    if (!result.train.scores.empty()) {
        result.threshold =
            analysis::linear_quantile(result.train.scores, settings.threshold_quantile);
    }

    for (std::size_t first = 0; first < section.test_files.size(); first += test_files_per_batch) {
        const std::size_t count = std::min(test_files_per_batch, section.test_files.size() - first);
        const VectorBatch test =
            source.read(std::span<const std::int32_t>(section.test_files).subspan(first, count));
        append_file_scores(result.test, collect(test, score_vectors(references, test, false),
                                                settings.aggregate, result.vectors));
    }
    return result;
}

std::string anomaly_score_file_name(const std::string& device, int section) {
    return fmt::format("anomaly_score_{}_section_{:02d}_test.csv", device, section);
}

std::string decision_file_name(const std::string& device, int section) {
    return fmt::format("decision_result_{}_section_{:02d}_test.csv", device, section);
}

bool write_if_changed(const fs::path& path, std::string_view contents) {
    std::error_code error;
    if (fs::exists(path, error)) {
        try {
            if (read_file(path) == contents) {
                return false;
            }
        } catch (const Error&) {
            // Unreadable: rewrite it.
        }
    }
    write_file_atomic(path, contents);
    return true;
}

void write_section_scores(const fs::path& folder, const ScoreSection& section,
                          const SectionScores& scores, const dataset::Manifest& manifest) {
    std::vector<std::pair<std::string, double>> rows;
    for (std::size_t i = 0; i < scores.test.files.size(); ++i) {
        rows.emplace_back(
            file_name_of(manifest.records[static_cast<std::size_t>(scores.test.files[i])]),
            scores.test.scores[i]);
    }
    std::sort(rows.begin(), rows.end());
    std::string score_text;
    std::string decision_text;
    for (const auto& [name, score] : rows) {
        score_text += name + "," + analysis::python_float_repr(score) + "\n";
        if (scores.threshold) {
            decision_text += name + (score > *scores.threshold ? ",1\n" : ",0\n");
        }
    }
    write_if_changed(folder / anomaly_score_file_name(section.device, section.section), score_text);
    const fs::path decisions = folder / decision_file_name(section.device, section.section);
    if (scores.threshold) {
        write_if_changed(decisions, decision_text);
    } else {
        std::error_code error;
        fs::remove(decisions, error);
    }
}

namespace {

// Names of the files listed in a score file of our own layout.
std::set<std::string> scored_names(const fs::path& path) {
    std::set<std::string> names;
    const std::string text = read_file(path);
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string line = text.substr(start, end - start);
        const std::size_t comma = line.find(',');
        if (comma != std::string::npos) {
            names.insert(line.substr(0, comma));
        }
        start = end + 1;
    }
    return names;
}

analysis::DcaseEdition resolve_edition(const std::string& edition, bool all_2021) {
    if (edition == "auto") {
        return all_2021 ? analysis::DcaseEdition::dcase2021 : analysis::DcaseEdition::dcase2023;
    }
    return analysis::parse_dcase_edition(edition);
}

}  // namespace

FolderEvaluation evaluate_score_folder(const fs::path& work, const fs::path& folder,
                                       const dataset::Manifest& manifest,
                                       const std::string& edition, int jobs) {
    FolderEvaluation evaluation;
    evaluation.ground_truth = work / "ground_truth" / folder.filename();
    evaluation.table = folder / "result.csv";
    const fs::path data_folder = evaluation.ground_truth / "ground_truth_data";
    const fs::path domain_folder = evaluation.ground_truth / "ground_truth_domain";

    static const std::regex score_name(R"(anomaly_score_(.+)_section_([0-9][0-9])_test\.csv)");
    const DeviceNames device_names(manifest);
    std::set<std::string> written;
    bool all_2021 = true;
    std::int64_t unscored = 0;
    for (const auto& entry : fs::directory_iterator(folder)) {
        std::smatch match;
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || !std::regex_match(name, match, score_name)) {
            continue;
        }
        const std::string device = match[1].str();
        const int section = std::stoi(match[2].str());
        const std::set<std::string> scored = scored_names(entry.path());
        std::vector<std::tuple<std::string, int, int>> rows;  // name, label, domain
        for (const auto& record : manifest.records) {
            if (record.external || device_names.of(record) != device ||
                section_number(record) != section || record.name.split != dataset::Split::test ||
                record.name.label == dataset::Label::unknown) {
                continue;
            }
            const std::string file = file_name_of(record);
            if (!scored.contains(file)) {
                ++unscored;
                continue;
            }
            all_2021 = all_2021 && record.name.scheme == "dcase2021";
            rows.emplace_back(file, record.name.label == dataset::Label::anomaly ? 1 : 0,
                              record.name.domain == dataset::Domain::target ? 1 : 0);
        }
        if (rows.empty()) {
            continue;
        }
        std::sort(rows.begin(), rows.end());
        std::string labels;
        std::string domains;
        for (const auto& [file, label, domain] : rows) {
            labels += fmt::format("{},{}\n", file, label);
            domains += fmt::format("{},{}\n", file, domain);
        }
        const std::string ground_truth_name =
            fmt::format("ground_truth_{}_section_{:02d}_test.csv", device, section);
        write_if_changed(data_folder / ground_truth_name, labels);
        write_if_changed(domain_folder / ground_truth_name, domains);
        written.insert(ground_truth_name);
    }
    if (unscored > 0) {
        spdlog::warn(
            "{}: {} labelled test file(s) have no score (no vectors) and are left out of "
            "the ground truth and the evaluation",
            folder.string(), unscored);
    }
    // Sections whose score files are gone keep no ground truth.
    for (const fs::path& sub : {data_folder, domain_folder}) {
        std::error_code error;
        if (!fs::is_directory(sub, error)) {
            continue;
        }
        for (const auto& entry : fs::directory_iterator(sub)) {
            if (entry.path().extension() == ".csv" &&
                !written.contains(entry.path().filename().string())) {
                fs::remove(entry.path(), error);
            }
        }
    }
    if (written.empty()) {
        return evaluation;
    }

    const analysis::EvaluatorInput input =
        analysis::read_evaluator_input(folder, evaluation.ground_truth);
    for (const auto& part : input.unavailable) {
        const fs::path decisions = folder / fmt::format("decision_result_{}_section_{}_test.csv",
                                                        part.machine, part.section);
        std::error_code error;
        if (part.decisions_only && !fs::exists(decisions, error)) {
            // A section without a decision threshold has no decision file, and the detector
            // pass has warned about it already.
            spdlog::debug("evaluate {}: {} section {}: precision, recall and F1 undefined: {}",
                          folder.filename().string(), part.machine, part.section, part.reason);
            continue;
        }
        spdlog::error("evaluate {}: {} section {}: {}", folder.filename().string(), part.machine,
                      part.section, part.reason);
    }
    analysis::DcaseOptions options;
    options.jobs = jobs;
    evaluation.result = analysis::evaluate_dcase(input.clips, input.unavailable,
                                                 resolve_edition(edition, all_2021), options);
    write_if_changed(evaluation.table, analysis::format_result_table(*evaluation.result));
    write_if_changed(folder / "result.json",
                     analysis::result_to_json(*evaluation.result).dump(1) + "\n");
    return evaluation;
}

}  // namespace uadscope::pipeline
