#include "pipeline/score_report.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace uadscope::pipeline {

namespace {

using Json = nlohmann::json;

// device, section, domain
using RowKey = std::tuple<std::string, std::string, std::string>;

std::string text_of(const Json& object, const char* key, std::string_view fallback = "?") {
    if (!object.is_object() || !object.contains(key)) {
        return std::string(fallback);
    }
    const Json& value = object[key];
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_null()) {
        return std::string(fallback);
    }
    return value.dump();
}

RowKey key_of(const Json& row) {
    return {text_of(row, "device"), text_of(row, "section"), text_of(row, "domain")};
}

// A metric in [0, 1] or a slack with 4 decimals, or "undefined" with the reason as tooltip.
std::string metric_cell(const Json* row, const char* key) {
    if (row == nullptr) {
        return "<td class=\"undefined\">-</td>";
    }
    const Json& value = row->contains(key) ? (*row)[key] : Json();
    if (value.is_number() && std::isfinite(value.get<double>())) {
        return fmt::format("<td class=\"number\">{:.4f}</td>", value.get<double>());
    }
    std::string reason = text_of(*row, "undefined_reason", "");
    if (reason.empty()) {
        reason = "not computed";
    }
    return "<td class=\"undefined\" title=\"" + escape_html(reason) + "\">undefined</td>";
}

std::string count_cell(const Json* row, const char* key) {
    if (row == nullptr || !row->contains(key) || !(*row)[key].is_number()) {
        return "<td class=\"number\">-</td>";
    }
    return fmt::format("<td class=\"number\">{}</td>", (*row)[key].get<std::int64_t>());
}

std::string pair_cell(const Json* row, const char* first, const char* second) {
    if (row == nullptr || !row->contains(first) || !row->contains(second)) {
        return "<td class=\"number\">-</td>";
    }
    return fmt::format("<td class=\"number\">{} / {}</td>", text_of(*row, first),
                       text_of(*row, second));
}

// The rows of array `name` per (device, section, domain), split by their "space".
struct SpacePair {
    const Json* original = nullptr;
    const Json* map = nullptr;
};

std::map<RowKey, SpacePair> pair_by_space(const Json& document, const char* name) {
    std::map<RowKey, SpacePair> pairs;
    if (!document.contains(name) || !document[name].is_array()) {
        return pairs;
    }
    for (const Json& row : document[name]) {
        if (!row.is_object()) {
            continue;
        }
        const std::string space = text_of(row, "space");
        SpacePair& pair = pairs[key_of(row)];
        (space == "map" ? pair.map : pair.original) = &row;
    }
    return pairs;
}

std::string key_cells(const RowKey& key) {
    return "<td>" + escape_html(std::get<0>(key)) + "</td><td>" + escape_html(std::get<1>(key)) +
           "</td><td>" + escape_html(std::get<2>(key)) + "</td>";
}

// Sample sizes of the map's groups in one line: "fan/00/source/train/normal 10000, ...".
std::string sample_sizes_text(const Json& document) {
    if (!document.contains("sample_sizes") || !document["sample_sizes"].is_object()) {
        return "";
    }
    std::string text;
    for (const auto& [group, count] : document["sample_sizes"].items()) {
        text += (text.empty() ? "" : ", ") + group + " " + count.dump();
    }
    return text;
}

std::string caption(const Json& document, const std::string& title, const std::string& extra) {
    std::string html = "<caption><strong>" + escape_html(title) + "</strong><br>" +
                       escape_html(metrics_provenance(document));
    if (!extra.empty()) {
        html += "<br>" + escape_html(extra);
    }
    const std::string sizes = sample_sizes_text(document);
    if (!sizes.empty()) {
        html += "<details><summary>sample sizes (points per group)</summary>" + escape_html(sizes) +
                "</details>";
    }
    return html + "</caption>";
}

std::string sep_table(const Json& document) {
    const auto pairs = pair_by_space(document, "sep");
    if (pairs.empty()) {
        return "";
    }
    const Json settings = document.value("settings", Json::object());
    const std::string extra = fmt::format(
        "Linear SVM (liblinear, {} loss, C = {}), {}-fold cross-validation grouped by file; "
        "at most {} vectors per class (0: all); counts are the SVM's vectors.",
        text_of(settings, "svm_loss"), text_of(settings, "svm_c"), text_of(settings, "cv_folds"),
        text_of(settings, "sep_max_vectors_per_class"));
    std::string html =
        "<table class=\"metrics\">" +
        caption(document, "SEP: separability of normal and anomalous test vectors", extra);
    html +=
        "<tr><th rowspan=\"2\">device</th><th rowspan=\"2\">section</th>"
        "<th rowspan=\"2\">domain</th><th colspan=\"2\">balanced accuracy</th>"
        "<th colspan=\"2\">mean hinge slack, held out</th>"
        "<th colspan=\"2\">mean hinge slack, training (objective &epsilon;)</th>"
        "<th rowspan=\"2\">files (normal / anomaly)</th>"
        "<th rowspan=\"2\">vectors (normal / anomaly)</th><th rowspan=\"2\">folds</th></tr>\n"
        "<tr><th>original</th><th>map</th><th>original</th><th>map</th><th>original</th>"
        "<th>map</th></tr>\n";
    for (const auto& [key, pair] : pairs) {
        const Json* any = pair.original != nullptr ? pair.original : pair.map;
        html += "<tr>" + key_cells(key) + metric_cell(pair.original, "balanced_accuracy") +
                metric_cell(pair.map, "balanced_accuracy") +
                metric_cell(pair.original, "hinge_slack") + metric_cell(pair.map, "hinge_slack") +
                metric_cell(pair.original, "train_hinge_slack") +
                metric_cell(pair.map, "train_hinge_slack") +
                pair_cell(any, "normal_files", "anomaly_files") +
                pair_cell(any, "normal_vectors", "anomaly_vectors") + count_cell(any, "folds") +
                "</tr>\n";
    }
    return html + "</table>\n";
}

std::string dsup_table(const Json& document) {
    const auto pairs = pair_by_space(document, "dsup");
    if (pairs.empty()) {
        return "";
    }
    const Json settings = document.value("settings", Json::object());
    const std::string extra = fmt::format(
        "kNN distance to the section's training vectors (k = {}); coverage: normal test "
        "vectors within the {} quantile of the training vectors' leave-one-file-out "
        "distances.",
        text_of(settings, "dsup_k"), text_of(settings, "coverage_quantile"));
    std::string html =
        "<table class=\"metrics\">" +
        caption(document, "DSUP: discriminative support of the training data", extra);
    html +=
        "<tr><th rowspan=\"2\">device</th><th rowspan=\"2\">section</th>"
        "<th rowspan=\"2\">domain</th><th colspan=\"2\">AUC</th><th colspan=\"2\">coverage</th>"
        "<th rowspan=\"2\">training files</th><th rowspan=\"2\">training vectors</th>"
        "<th rowspan=\"2\">test files (normal / anomaly)</th>"
        "<th rowspan=\"2\">test vectors (normal / anomaly)</th></tr>\n"
        "<tr><th>original</th><th>map</th><th>original</th><th>map</th></tr>\n";
    for (const auto& [key, pair] : pairs) {
        const Json* any = pair.original != nullptr ? pair.original : pair.map;
        html += "<tr>" + key_cells(key) + metric_cell(pair.original, "auc") +
                metric_cell(pair.map, "auc") + metric_cell(pair.original, "coverage") +
                metric_cell(pair.map, "coverage") + count_cell(any, "train_files") +
                count_cell(any, "train_vectors") + pair_cell(any, "normal_files", "anomaly_files") +
                pair_cell(any, "normal_vectors", "anomaly_vectors") + "</tr>\n";
    }
    return html + "</table>\n";
}

std::string detector_title(const Json& row) {
    const std::string detector = text_of(row, "detector");
    const std::string name = detector == "knn"   ? "kNN distance"
                             : detector == "lof" ? "LOF"
                                                 : detector;
    const bool per_domain = row.value("per_domain", false);
    const std::string space = text_of(row, "space");
    return fmt::format("{} (k = {}, {} per file{}) {}", name, text_of(row, "k"),
                       text_of(row, "aggregate"), per_domain ? ", per-domain references" : "",
                       space == "map" ? "on the map" : "in the original space");
}

std::string detector_tables(const Json& document) {
    if (!document.contains("detectors") || !document["detectors"].is_array()) {
        return "";
    }
    std::map<std::string, std::vector<const Json*>> by_scores;
    for (const Json& row : document["detectors"]) {
        if (row.is_object()) {
            by_scores[text_of(row, "scores")].push_back(&row);
        }
    }
    std::map<std::string, const Json*> official;
    if (document.contains("official_scores") && document["official_scores"].is_array()) {
        for (const Json& row : document["official_scores"]) {
            if (row.is_object()) {
                official[text_of(row, "scores")] = &row;
            }
        }
    }
    std::string html;
    for (const auto& [scores, rows] : by_scores) {
        std::string extra = "Scores: WORK/scores/" + scores;
        const auto found = official.find(scores);
        std::string official_line;
        if (found != official.end()) {
            const Json& row = *found->second;
            extra += fmt::format("; DCASE {} definitions", text_of(row, "edition"));
            const Json& value = row.contains("official_score") ? row["official_score"] : Json();
            official_line = value.is_number()
                                ? fmt::format("official score {:.4f}", value.get<double>())
                                : std::string("official score undefined");
            const Json& ci =
                row.contains("official_score_ci95") ? row["official_score_ci95"] : Json();
            if (ci.is_number()) {
                official_line += fmt::format(" (ci95 {:.4f})", ci.get<double>());
            }
            extra += "; " + official_line + " over every section of the scores folder";
        }
        html += "<table class=\"metrics\">" +
                caption(document, "DCASE metrics: " + detector_title(*rows.front()), extra);
        html +=
            "<tr><th>device</th><th>section</th><th>domain</th><th>AUC</th><th>pAUC</th>"
            "<th>precision</th><th>recall</th><th>F1</th><th>files (normal / anomaly)</th></tr>\n";
        for (const Json* row : rows) {
            html += "<tr>" + key_cells(key_of(*row)) + metric_cell(row, "auc") +
                    metric_cell(row, "pauc") + metric_cell(row, "precision") +
                    metric_cell(row, "recall") + metric_cell(row, "f1") +
                    pair_cell(row, "normal_files", "anomaly_files") + "</tr>\n";
        }
        html += "</table>\n";
    }
    return html;
}

std::string duplicate_notes(const Json& document) {
    if (!document.contains("duplicates") || !document["duplicates"].is_array()) {
        return "";
    }
    std::string items;
    for (const Json& row : document["duplicates"]) {
        if (!row.is_object() || row.value("zero_k_distance", std::int64_t{0}) <= 0) {
            continue;
        }
        items += fmt::format(
            "<li>{}: {} section {}, reference {}: {} of {} training vectors have k-distance 0 "
            "(k = {})</li>\n",
            escape_html(text_of(row, "scores")), escape_html(text_of(row, "device")),
            escape_html(text_of(row, "section")), escape_html(text_of(row, "reference")),
            text_of(row, "zero_k_distance"), text_of(row, "train_vectors"), text_of(row, "k_used"));
    }
    if (items.empty()) {
        return "";
    }
    return "<p>Duplicate-heavy training data (at least k identical vectors; LOF scores of "
           "such data are large and unstable):</p>\n<ul>\n" +
           items + "</ul>\n";
}

}  // namespace

std::string escape_html(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                escaped += "&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            default:
                escaped += c;
        }
    }
    return escaped;
}

std::string metrics_provenance(const Json& document) {
    const Json settings = document.value("settings", Json::object());
    return fmt::format(
        "representation {}, stack {}, scope {}; map fit {}, seed {}, {} points, sampling caps "
        "{} training / {} test vectors per group (0: all); SEP and DSUP seed {}",
        text_of(document, "rep"), text_of(document, "stack"), text_of(document, "scope"),
        text_of(document, "fit"), text_of(document, "seed"), text_of(document, "points"),
        text_of(document, "max_train"), text_of(document, "max_test"), text_of(settings, "seed"));
}

std::map<std::string, std::string> detector_run_captions(const Json& document) {
    std::map<std::string, std::string> captions;
    if (!document.is_object() || !document.contains("official_scores") ||
        !document["official_scores"].is_array()) {
        return captions;
    }
    for (const Json& row : document["official_scores"]) {
        if (row.is_object()) {
            captions[text_of(row, "scores")] = detector_title(row) + "; map " +
                                               text_of(document, "map") + ": " +
                                               metrics_provenance(document);
        }
    }
    return captions;
}

std::string metrics_tables_html(const Json& document) {
    if (!document.is_object()) {
        return "";
    }
    return sep_table(document) + dsup_table(document) + detector_tables(document) +
           duplicate_notes(document);
}

}  // namespace uadscope::pipeline
