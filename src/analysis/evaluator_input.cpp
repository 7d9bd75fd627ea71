#include "analysis/evaluator_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"

namespace uadscope::analysis {
namespace {

namespace fs = std::filesystem;

const std::regex ground_truth_2021_name(
    R"(ground_truth_(.+)_section_([0-9][0-9])_(source|target)_test\.csv)");
const std::regex ground_truth_2023_name(R"(ground_truth_(.+)_section_([0-9][0-9])_test\.csv)");

constexpr std::string_view data_folder = "ground_truth_data";
constexpr std::string_view domain_folder = "ground_truth_domain";
constexpr std::string_view attributes_folder = "ground_truth_attributes";

enum class ValueKind { score, label, decision, domain };

std::string_view value_kind_name(ValueKind kind) {
    switch (kind) {
        case ValueKind::score:
            return "anomaly score";
        case ValueKind::label:
            return "label";
        case ValueKind::decision:
            return "decision";
        case ValueKind::domain:
            return "domain";
    }
    return {};
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// Parses a number as Python's float() does for the forms that occur in these files:
// decimal or exponent notation, surrounding blanks and a leading '+' allowed.
std::optional<double> parse_number(std::string_view text) {
    text = trim(text);
    if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') {
        text.remove_prefix(1);
    }
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

// Splits one CSV line into fields; a field in double quotes may hold commas and doubled
// quotes. Returns nothing when a quoted field is not closed on the line.
std::optional<std::vector<std::string>> split_csv_line(std::string_view line) {
    std::vector<std::string> fields(1);
    bool in_quotes = false;
    bool field_started = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (in_quotes) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                in_quotes = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"' && !field_started) {
            in_quotes = true;
            field_started = true;
        } else if (c == ',') {
            fields.emplace_back();
            field_started = false;
        } else {
            fields.back() += c;
            field_started = true;
        }
    }
    if (in_quotes) {
        return std::nullopt;
    }
    return fields;
}

struct Row {
    std::string name;
    std::string value;
    std::size_t line = 0;
};

// Reads the first two columns of every non-blank line; throws Error naming the file and
// the line of the first malformed one.
std::vector<Row> read_rows(const fs::path& path) {
    const std::string text = read_file(path);
    std::vector<Row> rows;
    std::size_t line_number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        std::string_view line(text.data() + start, end - start);
        start = end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (trim(line).empty()) {
            continue;
        }
        const auto fields = split_csv_line(line);
        if (!fields) {
            throw Error(
                fmt::format("{}:{}: a quoted field is not closed", path.string(), line_number));
        }
        if (fields->size() < 2) {
            throw Error(
                fmt::format("{}:{}: expected two comma-separated columns "
                            "<file name>,<value> but found '{}'",
                            path.string(), line_number, line));
        }
        rows.push_back({(*fields)[0], (*fields)[1], line_number});
    }
    return rows;
}

double parse_value(const fs::path& path, const Row& row, ValueKind kind) {
    const auto value = parse_number(row.value);
    const std::string where = fmt::format("{}:{}", path.string(), row.line);
    if (!value) {
        throw Error(
            fmt::format("{}: {} '{}' of '{}' is not a number; each line must be "
                        "<file name>,<value>, with no header line",
                        where, value_kind_name(kind), row.value, row.name));
    }
    if (kind == ValueKind::score) {
        if (!std::isfinite(*value)) {
            throw Error(
                fmt::format("{}: anomaly score '{}' of '{}' is not finite; write finite "
                            "scores",
                            where, row.value, row.name));
        }
        return *value;
    }
    if (*value != 0.0 && *value != 1.0) {
        const std::string_view meaning =
            kind == ValueKind::domain ? "0 (source) or 1 (target)" : "0 (normal) or 1 (anomaly)";
        throw Error(fmt::format("{}: {} '{}' of '{}' is invalid; use {}", where,
                                value_kind_name(kind), row.value, row.name, meaning));
    }
    return *value;
}

using Renames = std::map<std::string, std::string>;

// File name -> value, with `renames` applied to the names; throws Error on a malformed
// line or a name that occurs twice.
std::map<std::string, double> read_values(const fs::path& path, ValueKind kind,
                                          const Renames& renames = {}) {
    std::map<std::string, double> values;
    std::map<std::string, std::size_t> lines;
    for (const Row& row : read_rows(path)) {
        const auto renamed = renames.find(row.name);
        const std::string& name = renamed == renames.end() ? row.name : renamed->second;
        const double value = parse_value(path, row, kind);
        const auto [it, inserted] = lines.emplace(name, row.line);
        if (!inserted) {
            throw Error(
                fmt::format("{}:{}: file name '{}' already occurs on line {}; give each "
                            "file one row",
                            path.string(), row.line, name, it->second));
        }
        values.emplace(name, value);
    }
    return values;
}

// "<original name>.wav" -> evaluation file name, from a ground_truth_attributes file.
Renames read_renames(const fs::path& path) {
    Renames renames;
    for (const Row& row : read_rows(path)) {
        const std::string original = row.value + ".wav";
        if (!renames.emplace(original, row.name).second) {
            throw Error(fmt::format("{}:{}: original name '{}' already occurs on an earlier line",
                                    path.string(), row.line, row.value));
        }
    }
    return renames;
}

// Values of `values` (read from `path`) for each ground-truth name, in ground-truth order.
// Throws Error when a ground-truth name has no row or a row has no ground-truth name.
std::vector<double> join_values(const std::map<std::string, double>& ground_truth,
                                const fs::path& ground_truth_path,
                                const std::map<std::string, double>& values, const fs::path& path) {
    std::vector<std::string> missing;
    std::vector<double> joined;
    joined.reserve(ground_truth.size());
    for (const auto& [name, label] : ground_truth) {
        const auto found = values.find(name);
        if (found == values.end()) {
            missing.push_back(name);
        } else {
            joined.push_back(found->second);
        }
    }
    if (!missing.empty()) {
        throw Error(fmt::format(
            "'{}' has no row for {} file(s) listed in '{}', for example '{}'; "
            "write a row for every file of the ground truth",
            path.string(), missing.size(), ground_truth_path.string(), missing.front()));
    }
    if (values.size() != ground_truth.size()) {
        std::vector<std::string> extra;
        for (const auto& [name, value] : values) {
            if (!ground_truth.contains(name)) {
                extra.push_back(name);
            }
        }
        throw Error(
            fmt::format("'{}' has {} row(s) for files not listed in '{}', for example "
                        "'{}'; remove them or check that the ground truth matches",
                        path.string(), extra.size(), ground_truth_path.string(), extra.front()));
    }
    return joined;
}

// A ground-truth file and the part of the test set it covers.
struct GroundTruthFile {
    fs::path path;
    std::string machine;
    std::string section;
    std::optional<Domain> domain;  // 2021 layout only
};

std::vector<GroundTruthFile> list_ground_truth(const fs::path& folder, const std::regex& pattern,
                                               std::vector<fs::path>& ignored) {
    std::vector<GroundTruthFile> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (!entry.is_regular_file()) {
            continue;
        }
        const std::string name = entry.path().filename().string();
        std::smatch match;
        if (!std::regex_match(name, match, pattern)) {
            ignored.push_back(entry.path());
            continue;
        }
        GroundTruthFile file{entry.path(), match[1], match[2], std::nullopt};
        if (match.size() > 3) {
            file.domain = match[3] == "source" ? Domain::source : Domain::target;
        }
        files.push_back(std::move(file));
    }
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.path.filename() < b.path.filename(); });
    std::sort(ignored.begin(), ignored.end());
    return files;
}

bool has_matching_file(const fs::path& folder, const std::regex& pattern) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) {
        return false;
    }
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.is_regular_file() &&
            std::regex_match(entry.path().filename().string(), pattern)) {
            return true;
        }
    }
    return false;
}

// The 2021 layout's ground-truth folder: GT_DIR/ground_truth_data when it exists, as in the
// evaluator's own repository, else GT_DIR.
fs::path folder_2021(const fs::path& ground_truth) {
    const fs::path nested = ground_truth / data_folder;
    return fs::is_directory(nested) ? nested : ground_truth;
}

std::string part_stem(const GroundTruthFile& file) {
    std::string stem = fmt::format("{}_section_{}", file.machine, file.section);
    if (file.domain) {
        stem += fmt::format("_{}", domain_name(*file.domain));
    }
    return stem + "_test";
}

// The system's score and decision files for a ground-truth file; both paths name the
// expected plain files when neither they nor a baseline-style pair exist.
std::pair<fs::path, fs::path> system_files(const fs::path& scores, const GroundTruthFile& file) {
    const std::string stem = part_stem(file);
    const fs::path score_path = scores / fmt::format("anomaly_score_{}.csv", stem);
    const fs::path decision_path = scores / fmt::format("decision_result_{}.csv", stem);
    if (file.domain || fs::exists(score_path)) {
        return {score_path, decision_path};
    }
    // The 2023 to 2025 baselines write anomaly_score_DCASE<year>T2<machine>_section_<NN>_
    // test_seed<seed><tag>_Eval.csv; the 2023 evaluator falls back to those names.
    const std::regex baseline(fmt::format(
        R"(anomaly_score_DCASE20[0-9][0-9]T2{}_section_{}_test_seed.*_Eval\.csv)",
        std::regex_replace(file.machine, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)"),
        file.section));

    std::vector<fs::path> candidates;
    for (const auto& entry : fs::directory_iterator(scores)) {
        if (entry.is_regular_file() &&
            std::regex_match(entry.path().filename().string(), baseline)) {
            candidates.push_back(entry.path());
        }
    }
    if (candidates.size() > 1) {
        std::sort(candidates.begin(), candidates.end());
        throw Error(
            fmt::format("'{}' has no '{}' but {} baseline-style score files for it, such as "
                        "'{}' and '{}', so remove all but one",
                        scores.string(), score_path.filename().string(), candidates.size(),
                        candidates[0].filename().string(), candidates[1].filename().string()));
    }
    if (candidates.empty()) {
        return {score_path, decision_path};
    }

    std::string decision_name = candidates.front().filename().string();
    decision_name.replace(0, std::string_view("anomaly_score_").size(), "decision_result_");
    return {candidates.front(), scores / decision_name};
}

// Reads one part of the test set (a 2021 domain file or a 2023 section file) and appends
// its clips, or records why it is unavailable.
class PartReader {
  public:
    PartReader(const fs::path& scores, const fs::path& ground_truth, EvaluatorInput& input)
        : scores_(scores), ground_truth_(ground_truth), input_(input) {}

    void read(const GroundTruthFile& file) {
        std::map<std::string, double> labels;
        std::map<std::string, double> domains_by_name;
        Renames renames;
        std::pair<fs::path, fs::path> system;
        try {
            labels = read_values(file.path, ValueKind::label);
            if (!file.domain) {
                read_domains(file, labels, domains_by_name, renames);
            }
            system = system_files(scores_, file);
        } catch (const Error& error) {
            unavailable(file, error.what(), false);
            return;
        }
        const auto& [score_path, decision_path] = system;

        std::vector<double> scores;
        try {
            if (!fs::exists(score_path)) {
                throw Error(fmt::format("anomaly score file '{}' is missing", score_path.string()));
            }
            scores = join_values(labels, file.path,
                                 read_values(score_path, ValueKind::score, renames), score_path);
        } catch (const Error& error) {
            unavailable(file, error.what(), false);
            return;
        }

        std::vector<double> decisions;
        try {
            if (!fs::exists(decision_path)) {
                throw Error(
                    fmt::format("decision result file '{}' is missing", decision_path.string()));
            }
            decisions = join_values(labels, file.path,
                                    read_values(decision_path, ValueKind::decision, renames),
                                    decision_path);
        } catch (const Error& error) {
            unavailable(file, error.what(), true);
        }

        std::size_t i = 0;
        for (const auto& [name, label] : labels) {
            Clip clip;
            clip.machine = file.machine;
            clip.section = file.section;
            clip.domain = file.domain
                              ? *file.domain
                              : (domains_by_name.at(name) == 0.0 ? Domain::source : Domain::target);
            clip.label = static_cast<std::uint8_t>(label);
            clip.score = scores[i];
            if (!decisions.empty()) {
                clip.decision = static_cast<std::uint8_t>(decisions[i]);
            }
            input_.clips.push_back(std::move(clip));
            ++i;
        }
    }

  private:
    // Domains of a 2023-layout section and the renames of its attributes file.
    void read_domains(const GroundTruthFile& file, const std::map<std::string, double>& labels,
                      std::map<std::string, double>& domains_by_name, Renames& renames) {
        const fs::path name = file.path.filename();
        const fs::path domain_path = ground_truth_ / domain_folder / name;
        if (!fs::exists(domain_path)) {
            throw Error(
                fmt::format("domain file '{}' is missing, and it is needed to tell source (0) from "
                            "target (1) clips",
                            domain_path.string()));
        }
        domains_by_name = read_values(domain_path, ValueKind::domain);
        join_values(labels, file.path, domains_by_name, domain_path);
        const fs::path attributes_path = ground_truth_ / attributes_folder / name;
        if (fs::exists(attributes_path)) {
            renames = read_renames(attributes_path);
        }
    }

    void unavailable(const GroundTruthFile& file, std::string reason, bool decisions_only) {
        input_.unavailable.push_back(
            {file.machine, file.section, file.domain, std::move(reason), decisions_only});
    }

    fs::path scores_;
    fs::path ground_truth_;
    EvaluatorInput& input_;
};

void require_folder(const fs::path& folder, std::string_view role) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) {
        throw Error(
            fmt::format("{} folder '{}' does not exist or is not a folder", role, folder.string()));
    }
}

}  // namespace

std::optional<EvaluatorLayout> detect_evaluator_layout(const fs::path& ground_truth) {
    require_folder(ground_truth, "ground-truth");
    if (fs::is_directory(ground_truth / domain_folder) &&
        has_matching_file(ground_truth / data_folder, ground_truth_2023_name)) {
        return EvaluatorLayout::dcase2023;
    }
    if (has_matching_file(folder_2021(ground_truth), ground_truth_2021_name)) {
        return EvaluatorLayout::dcase2021;
    }
    return std::nullopt;
}

EvaluatorInput read_evaluator_input(const fs::path& scores, const fs::path& ground_truth) {
    require_folder(scores, "score");
    const auto layout = detect_evaluator_layout(ground_truth);
    if (!layout) {
        throw Error(fmt::format(
            "ground-truth folder '{}' contains no ground-truth files: expected "
            "ground_truth_<machine>_section_<NN>_<source|target>_test.csv files (DCASE 2021) or "
            "the folders {}/ and {}/ with ground_truth_<machine>_section_<NN>_test.csv files "
            "(DCASE 2022 to 2025)",
            ground_truth.string(), data_folder, domain_folder));
    }

    EvaluatorInput input;
    input.layout = *layout;
    const bool is_2021 = *layout == EvaluatorLayout::dcase2021;
    const std::vector<GroundTruthFile> files =
        is_2021 ? list_ground_truth(folder_2021(ground_truth), ground_truth_2021_name,
                                    input.ignored_files)
                : list_ground_truth(ground_truth / data_folder, ground_truth_2023_name,
                                    input.ignored_files);
    PartReader reader(scores, ground_truth, input);
    for (const GroundTruthFile& file : files) {
        reader.read(file);
    }
    return input;
}

}  // namespace uadscope::analysis
