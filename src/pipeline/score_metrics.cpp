#include "pipeline/score_metrics.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "analysis/evaluator_table.h"
#include "core/csv.h"
#include "core/error.h"
#include "pipeline/score_detectors.h"
#include "pipeline/score_vectors.h"

namespace uadscope::pipeline {

namespace {

using Json = nlohmann::ordered_json;

Json optional_number(const std::optional<double>& value) {
    return value ? Json(*value) : Json(nullptr);
}

Json reason_or_null(const std::string& reason) {
    return reason.empty() ? Json(nullptr) : Json(reason);
}

// The vectors of `batch` whose file has domain `domain`, and their labels.
std::pair<VectorBatch, std::vector<std::uint8_t>> domain_part(const VectorBatch& batch,
                                                              const dataset::Manifest& manifest,
                                                              dataset::Domain domain) {
    VectorBatch part;
    part.dims = batch.dims;
    std::vector<std::uint8_t> labels;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& record = manifest.records[static_cast<std::size_t>(batch.files[i])];
        if (record.name.domain == domain) {
            part.append(batch, i);
            labels.push_back(record.name.label == dataset::Label::anomaly ? 1 : 0);
        }
    }
    return {std::move(part), std::move(labels)};
}

Json sep_row(const ScoreSection& section, std::string_view domain, std::string_view space,
             const analysis::SeparabilityResult& result) {
    return Json{
        {"device", section.device},
        {"section", fmt::format("{:02d}", section.section)},
        {"domain", std::string(domain)},
        {"space", std::string(space)},
        {"balanced_accuracy", optional_number(result.balanced_accuracy)},
        {"hinge_slack", optional_number(result.hinge_slack)},
        {"train_hinge_slack", optional_number(result.train_hinge_slack)},
        {"normal_files", result.normal_files},
        {"anomaly_files", result.anomaly_files},
        {"normal_vectors", result.normal_vectors},
        {"anomaly_vectors", result.anomaly_vectors},
        {"folds", result.folds},
        {"undefined_reason", reason_or_null(result.undefined_reason)},
    };
}

Json dsup_row(const ScoreSection& section, std::string_view domain, std::string_view space,
              const analysis::SupportResult& result) {
    return Json{
        {"device", section.device},
        {"section", fmt::format("{:02d}", section.section)},
        {"domain", std::string(domain)},
        {"space", std::string(space)},
        {"auc", optional_number(result.auc)},
        {"coverage", optional_number(result.coverage)},
        {"threshold", optional_number(result.threshold)},
        {"k", result.k},
        {"normal_files", result.normal_files},
        {"anomaly_files", result.anomaly_files},
        {"normal_vectors", result.normal_vectors},
        {"anomaly_vectors", result.anomaly_vectors},
        {"train_files", result.train_files},
        {"train_vectors", result.train_vectors},
        {"undefined_reason", reason_or_null(result.undefined_reason)},
    };
}

std::string group_of(const dataset::FileRecord& record, const DeviceNames& device_names) {
    if (record.external) {
        return "external/" + record.dataset;
    }
    return fmt::format("{}/{}/{}/{}/{}", device_names.of(record), record.section_text(),
                       dataset::to_string(record.name.domain),
                       dataset::to_string(record.name.split),
                       dataset::to_string(record.name.label));
}

}  // namespace

MapMetricRows compute_map_metrics(const std::string& map_name, const store::MapData& map,
                                  const dataset::Manifest& manifest, const FeatureFile& features,
                                  int stack, const std::string& device,
                                  const MetricsSettings& settings) {
    std::set<std::int32_t> map_files(map.file_id.begin(), map.file_id.end());
    const std::vector<std::int32_t> files(map_files.begin(), map_files.end());
    const auto map_source = map_point_vectors(map, PointSpace::map, nullptr, manifest.size(), 1);
    const auto original_source =
        map_point_vectors(map, PointSpace::original, &features, manifest.size(), stack);

    MapMetricRows rows;
    for (const ScoreSection& section : score_sections(manifest, files, device)) {
        std::vector<std::int32_t> labelled;
        std::set<dataset::Domain> domains;
        for (const std::int32_t file : section.test_files) {
            const auto& record = manifest.records[static_cast<std::size_t>(file)];
            if (record.name.label != dataset::Label::unknown) {
                labelled.push_back(file);
                domains.insert(record.name.domain);
            }
        }
        if (labelled.empty()) {
            continue;
        }
        try {
            // Rows per (domain, space), emitted with original before map.
            std::map<std::pair<dataset::Domain, int>, std::pair<Json, Json>> by_key;
            const std::pair<const VectorSource*, std::string_view> spaces[] = {
                {original_source.get(), "original"}, {map_source.get(), "map"}};
            for (int s = 0; s < 2; ++s) {
                const auto& [source, space] = spaces[s];
                const VectorBatch train = source->read(section.train_files);
                const VectorBatch test = source->read(labelled);
                std::optional<analysis::SupportReference> support;
                if (train.size() > 0) {
                    support = analysis::SupportReference::fit(
                        train.values, train.size(), train.dims, train.files, settings.dsup);
                }
                for (const dataset::Domain domain : domains) {
                    const auto [part, labels] = domain_part(test, manifest, domain);
                    const std::string_view domain_name = dataset::to_string(domain);
                    const analysis::SeparabilityResult sep = analysis::measure_separability(
                        part.values, part.size(), part.dims, labels, part.files, settings.sep);
                    analysis::SupportResult dsup;
                    if (support) {
                        dsup = support->measure(part.values, part.size(), labels, part.files);
                    } else {
                        dsup.undefined_reason = "the map has no training points of this section";
                    }
                    by_key[{domain, s}] = {sep_row(section, domain_name, space, sep),
                                           dsup_row(section, domain_name, space, dsup)};
                }
            }
            for (auto& [key, pair] : by_key) {
                rows.sep.push_back(std::move(pair.first));
                rows.dsup.push_back(std::move(pair.second));
            }
            spdlog::info("metrics {}: {} section {:02d}: SEP and DSUP of {} domain(s) done",
                         map_name, section.device, section.section, domains.size());
        } catch (const Error& error) {
            spdlog::error("metrics {}: {} section {:02d} failed: {}", map_name, section.device,
                          section.section, error.what());
            ++rows.failed_sections;
        }
    }
    return rows;
}

Json map_description(const std::string& map_name, const store::MapData& map,
                     const dataset::Manifest& manifest) {
    auto text = [&](const char* name) {
        const auto found = map.text.find(name);
        return found == map.text.end() ? Json(nullptr) : Json(found->second);
    };
    auto integer = [&](const char* name) {
        const auto found = map.numbers.find(name);
        return found == map.numbers.end() ? Json(nullptr)
                                          : Json(static_cast<std::int64_t>(found->second));
    };
    const DeviceNames device_names(manifest);
    std::map<std::string, std::int64_t> groups;
    for (const std::int32_t file : map.file_id) {
        if (file >= 0 && static_cast<std::size_t>(file) < manifest.size()) {
            ++groups[group_of(manifest.records[static_cast<std::size_t>(file)], device_names)];
        }
    }
    Json sample_sizes = Json::object();
    for (const auto& [group, count] : groups) {
        sample_sizes[group] = count;
    }
    return Json{
        {"map", map_name},
        {"rep", text("rep")},
        {"stack", integer("stack")},
        {"scope", text("scope")},
        {"fit", text("fit")},
        {"seed", map.seed ? Json(*map.seed) : integer("seed")},
        {"max_train", integer("max_train")},
        {"max_test", integer("max_test")},
        {"points", map.points},
        {"sample_sizes", sample_sizes},
    };
}

std::string metrics_csv(const nlohmann::ordered_json& document) {
    using Key = std::tuple<std::string, std::string, std::string, std::string>;
    std::map<Key, std::vector<std::string>> rows;
    auto key_of = [](const Json& row) {
        return Key{row.value("device", ""), row.value("section", ""), row.value("domain", ""),
                   row.value("space", "")};
    };
    auto cell = [](const Json& value) {
        if (value.is_null()) {
            return std::string();
        }
        if (value.is_number_float()) {
            return analysis::python_float_repr(value.get<double>());
        }
        return value.is_string() ? value.get<std::string>() : value.dump();
    };
    constexpr std::size_t columns = 15;
    auto row_for = [&](const Json& row) -> std::vector<std::string>& {
        auto& cells = rows[key_of(row)];
        if (cells.empty()) {
            cells.resize(columns);
        }
        return cells;
    };
    if (document.contains("sep")) {
        for (const Json& row : document["sep"]) {
            auto& cells = row_for(row);
            cells[0] = cell(row["balanced_accuracy"]);
            cells[1] = cell(row["hinge_slack"]);
            cells[4] = cell(row["normal_files"]);
            cells[5] = cell(row["anomaly_files"]);
            cells[10] = cell(row["folds"]);
            cells[12] = cell(row["train_hinge_slack"]);
            cells[13] = cell(row["normal_vectors"]);
            cells[14] = cell(row["anomaly_vectors"]);
        }
    }
    if (document.contains("dsup")) {
        for (const Json& row : document["dsup"]) {
            auto& cells = row_for(row);
            cells[2] = cell(row["auc"]);
            cells[3] = cell(row["coverage"]);
            cells[4] = cell(row["normal_files"]);
            cells[5] = cell(row["anomaly_files"]);
            cells[6] = cell(row["normal_vectors"]);
            cells[7] = cell(row["anomaly_vectors"]);
            cells[8] = cell(row["train_files"]);
            cells[9] = cell(row["train_vectors"]);
            cells[11] = cell(row["threshold"]);
        }
    }
    std::string out = csv_line({"device",
                                "section",
                                "domain",
                                "space",
                                "sep_balanced_accuracy",
                                "sep_hinge_slack",
                                "dsup_auc",
                                "dsup_coverage",
                                "normal_files",
                                "anomaly_files",
                                "normal_vectors",
                                "anomaly_vectors",
                                "train_files",
                                "train_vectors",
                                "sep_folds",
                                "dsup_threshold",
                                "sep_train_hinge_slack",
                                "sep_normal_vectors",
                                "sep_anomaly_vectors",
                                "rep",
                                "stack",
                                "scope",
                                "map_seed",
                                "seed"});
    // Provenance on every row, so that a row read on its own still names its source.
    const Json settings = document.value("settings", Json::object());
    const std::vector<std::string> provenance = {
        cell(document.value("rep", Json())), cell(document.value("stack", Json())),
        cell(document.value("scope", Json())), cell(document.value("seed", Json())),
        cell(settings.value("seed", Json()))};
    for (const auto& [key, cells] : rows) {
        std::vector<std::string> line = {std::get<0>(key), std::get<1>(key), std::get<2>(key),
                                         std::get<3>(key)};
        line.insert(line.end(), cells.begin(), cells.end());
        line.insert(line.end(), provenance.begin(), provenance.end());
        out += csv_line(line);
    }
    return out;
}

}  // namespace uadscope::pipeline
