#include "pipeline/report.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/csv.h"
#include "core/error.h"
#include "pipeline/score_report.h"
#include "store/h5.h"

namespace uadscope::pipeline {

namespace fs = std::filesystem;

namespace {

// Relative URL of a workspace file, with each path segment percent-encoded where needed.
std::string link_to(const fs::path& relative) {
    std::string url;
    for (const char c : relative.generic_string()) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || std::string_view("-_.~/").find(c) != std::string_view::npos) {
            url += c;
        } else {
            url += fmt::format("%{:02X}", byte);
        }
    }
    return url;
}

std::vector<fs::path> list_files(const fs::path& folder, std::string_view extension) {
    std::vector<fs::path> files;
    std::error_code error;
    if (!fs::is_directory(folder, error)) {
        return files;
    }
    for (const auto& entry : fs::directory_iterator(folder, error)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && entry.path().extension() == extension &&
            name.find(".tmp-") == std::string::npos && name.front() != '.') {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string format_number(double value) {
    if (!std::isfinite(value)) {
        return "n/a";
    }
    if (value == std::floor(value) && std::abs(value) < 1e15) {
        return fmt::format("{}", static_cast<long long>(value));
    }
    return fmt::format("{:.4g}", value);
}

// Counts of manifest rows per device for each (split, label, domain) column.
std::string manifest_summary(const fs::path& manifest_path) {
    const CsvTable manifest = read_csv(manifest_path);
    const std::size_t device = manifest.column("device");
    const std::size_t split = manifest.column("split");
    const std::size_t label = manifest.column("label");
    const std::size_t domain = manifest.column("domain");
    const std::size_t section = manifest.column("section");

    std::set<std::string> columns;
    std::map<std::string, std::map<std::string, int>> counts;
    std::map<std::string, std::set<std::string>> sections;
    for (const auto& row : manifest.rows) {
        const std::string name = row[device].empty() ? "(none)" : row[device];
        const std::string key = row[split] + " " + row[label] + " " + row[domain];
        columns.insert(key);
        counts[name][key]++;
        counts[name]["total"]++;
        if (!row[section].empty()) {
            sections[name].insert(row[section]);
        }
    }

    std::string html =
        fmt::format("<p>{} files in <code>manifest.csv</code>.</p>\n", manifest.rows.size());
    html += "<table><tr><th>device</th><th>sections</th>";
    for (const auto& column : columns) {
        html += "<th>" + escape_html(column) + "</th>";
    }
    html += "<th>total</th></tr>\n";
    for (const auto& [name, row] : counts) {
        std::string section_list;
        for (const auto& value : sections[name]) {
            section_list += (section_list.empty() ? "" : " ") + value;
        }
        html += "<tr><td>" + escape_html(name) + "</td><td>" + escape_html(section_list) + "</td>";
        for (const auto& column : columns) {
            const auto found = row.find(column);
            html += "<td>" + std::to_string(found == row.end() ? 0 : found->second) + "</td>";
        }
        html += "<td>" + std::to_string(row.at("total")) + "</td></tr>\n";
    }
    html += "</table>\n";
    return html;
}

std::string attribute_table(const store::H5File& file, const std::set<std::string>& skip = {}) {
    std::string html = "<table class=\"params\">";
    for (const auto& name : file.attribute_names()) {
        if (skip.count(name)) {
            continue;
        }
        std::string value;
        try {
            value = file.attribute_string(name);
        } catch (const Error&) {
            value = format_number(file.attribute_double(name));
        }
        html += "<tr><th>" + escape_html(name) + "</th><td>" + escape_html(value) + "</td></tr>";
    }
    html += "</table>\n";
    return html;
}

std::string features_section(const fs::path& work) {
    const auto files = list_files(work / "features", ".h5");
    if (files.empty()) {
        return "<p>No feature files yet: run <code>uadscope features WORK</code>.</p>\n";
    }
    std::string html = "<table><tr><th>file</th><th>frames</th><th>dims</th></tr>\n";
    for (const auto& path : files) {
        try {
            const auto file = store::H5File::open(path);
            const auto shape = file.shape("data");
            html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                                escape_html(path.filename().string()), shape.rows, shape.cols);
        } catch (const Error& error) {
            spdlog::warn("report: skipping {}: {}", path.string(), error.what());
            html += "<tr><td>" + escape_html(path.filename().string()) +
                    "</td><td colspan=\"2\">unreadable</td></tr>\n";
        }
    }
    html += "</table>\n";
    return html;
}

std::string csv_to_html(const fs::path& path) {
    const CsvTable table = read_csv(path, false);
    std::string html = "<table>";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        html += "<tr>";
        for (const auto& field : table.rows[r]) {
            if (r == 0) {
                html += "<th>" + escape_html(field) + "</th>";
                continue;
            }
            // Scores are shown to 4 decimals, with the round-trip value as a tooltip; values
            // floored at DBL_EPSILON by the evaluators then read 0.0000.
            char* end = nullptr;
            const double value = std::strtod(field.c_str(), &end);
            const bool fraction = field.find_first_of(".eE") != std::string::npos;
            if (!field.empty() && end == field.c_str() + field.size() && fraction &&
                std::isfinite(value)) {
                html += fmt::format("<td class=\"number\" title=\"{}\">{:.4f}</td>",
                                    escape_html(field), value);
            } else {
                html += "<td>" + escape_html(field) + "</td>";
            }
        }
        html += "</tr>";
    }
    return html + "</table>\n";
}

constexpr std::string_view style = R"(
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.params th { background: #fafafa; font-weight: normal; color: #555; }
.thumbs { display: flex; flex-wrap: wrap; gap: .8em; }
.thumbs figure { margin: 0; } .thumbs img { width: 280px; border: 1px solid #ddd; }
.thumbs figcaption { font-size: .8em; color: #555; max-width: 280px; word-break: break-all; }
.undefined { color: #999; font-style: italic; }
table.metrics caption { caption-side: top; text-align: left; font-size: .9em; color: #444;
  padding-bottom: .3em; max-width: 1100px; }
table.metrics caption details { color: #666; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
)";

}  // namespace

ReportResult write_report(const fs::path& work) {
    const fs::path manifest = work / "manifest.csv";
    if (!fs::exists(manifest)) {
        throw Error("no manifest.csv in '" + work.string() +
                    "': run `uadscope index DATASET -o WORK` first");
    }
    ReportResult result;
    result.path = work / "report.html";

    std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
    html += "<title>uadscope report</title>\n<style>" + std::string(style) + "</style></head>\n";
    html += "<body>\n<h1>uadscope report</h1>\n";
    html += "<h2>Dataset</h2>\n" + manifest_summary(manifest);
    html += "<h2>Features</h2>\n" + features_section(work);

    const auto plots = list_files(work / "plots", ".png");
    html += "<h2>Maps</h2>\n";
    const auto maps = list_files(work / "maps", ".h5");
    if (maps.empty()) {
        html += "<p>No maps yet: run <code>uadscope map WORK</code>.</p>\n";
    }
    // Description of each scores folder, from the first map whose metrics name it.
    std::map<std::string, std::string> run_captions;
    for (const auto& map_path : maps) {
        const std::string name = map_path.stem().string();
        html += "<h3 id=\"" + escape_html(name) + "\">" + escape_html(name) + "</h3>\n";
        try {
            const auto file = store::H5File::open(map_path);
            html += fmt::format("<p>{} points.</p>\n", file.shape("embedding").rows);
            html += attribute_table(file);
        } catch (const Error& error) {
            spdlog::warn("report: skipping {}: {}", map_path.string(), error.what());
            html += "<p>Unreadable map file: " + escape_html(error.what()) + "</p>\n";
            continue;
        }
        ++result.maps;

        html += "<div class=\"thumbs\">\n";
        for (const auto& plot : plots) {
            const std::string plot_name = plot.stem().string();
            if (plot_name.rfind(name + "_", 0) != 0) {
                continue;
            }
            const fs::path relative = fs::path("plots") / plot.filename();
            fs::path svg = plot;
            svg.replace_extension(".svg");
            html += "<figure><a href=\"" + link_to(relative) + "\"><img loading=\"lazy\" src=\"" +
                    link_to(relative) + "\" alt=\"" + escape_html(plot_name) + "\"></a>";
            html += "<figcaption>" + escape_html(plot_name);
            if (fs::exists(svg)) {
                html +=
                    " (<a href=\"" + link_to(fs::path("plots") / svg.filename()) + "\">SVG</a>)";
            }
            html += "</figcaption></figure>\n";
            ++result.plots;
        }
        html += "</div>\n";

        const fs::path metrics = work / "metrics" / (name + ".json");
        if (fs::exists(metrics)) {
            try {
                const auto document = nlohmann::json::parse(read_file(metrics));
                html += "<h4>Metrics</h4>\n<p>From <a href=\"" +
                        link_to(fs::path("metrics") / metrics.filename()) + "\">" +
                        escape_html(metrics.filename().string()) + "</a> and its CSV twin.</p>\n" +
                        metrics_tables_html(document);
                for (auto& [scores, caption] : detector_run_captions(document)) {
                    run_captions.emplace(scores, std::move(caption));
                }
                ++result.metric_files;
            } catch (const std::exception& error) {
                spdlog::warn("report: cannot read {}: {}", metrics.string(), error.what());
            }
        }
    }

    // Evaluation tables written by `uadscope score` or `uadscope evaluate` (result*.csv).
    std::vector<fs::path> results;
    std::error_code error;
    if (fs::is_directory(work / "scores", error)) {
        for (const auto& entry : fs::recursive_directory_iterator(work / "scores", error)) {
            const std::string file_name = entry.path().filename().string();
            if (entry.is_regular_file() && file_name.rfind("result", 0) == 0 &&
                entry.path().extension() == ".csv" &&
                entry.path().parent_path() != work / "scores") {
                results.push_back(entry.path());
            }
        }
    }
    std::sort(results.begin(), results.end());
    if (!results.empty()) {
        html += "<h2>Detector evaluation</h2>\n";
        html += "<p>The official evaluators' result table of each scores folder.</p>\n";
        for (const auto& path : results) {
            html += "<h3>" + escape_html(fs::relative(path, work).generic_string()) + "</h3>\n";
            const auto caption = run_captions.find(path.parent_path().filename().string());
            if (caption != run_captions.end()) {
                html += "<p>" + escape_html(caption->second) + "</p>\n";
            }
            try {
                html += csv_to_html(path);
            } catch (const Error& csv_error) {
                html += "<p>" + escape_html(csv_error.what()) + "</p>\n";
            }
        }
    }
    html += "</body></html>\n";

    result.written = write_file_if_changed(result.path, html);
    return result;
}

}  // namespace uadscope::pipeline
