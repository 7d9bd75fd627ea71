// `uadscope evaluate`: DCASE Task 2 metrics of a system's anomaly scores and decisions, in
// the result table of the official evaluators.

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "analysis/dcase_metrics.h"
#include "analysis/evaluator_input.h"
#include "analysis/evaluator_table.h"
#include "cli/command.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace uadscope::cli {
namespace {

namespace fs = std::filesystem;
using namespace uadscope::analysis;

constexpr const char* default_output_dir = "teams_result";

struct EvaluateOptions {
    std::string scores_dir;
    std::string ground_truth_dir;
    std::string edition = "auto";
    std::string output_dir = default_output_dir;
    std::string name;
    bool no_jackknife = false;
    int jobs = 0;
};

DcaseEdition choose_edition(const EvaluateOptions& options, EvaluatorLayout layout) {
    if (options.edition == "auto") {
        return layout == EvaluatorLayout::dcase2021 ? DcaseEdition::dcase2021
                                                    : DcaseEdition::dcase2023;
    }
    try {
        return parse_dcase_edition(options.edition);
    } catch (const Error& error) {
        throw UsageError(error.what());
    }
}

// The system name the evaluators use: the scores folder's own name.
std::string system_name(const EvaluateOptions& options) {
    if (!options.name.empty()) {
        return options.name;
    }
    return fs::weakly_canonical(fs::absolute(options.scores_dir)).filename().string();
}

void log_input_problems(const EvaluatorInput& input) {
    for (const UnavailablePart& part : input.unavailable) {
        const std::string domain =
            part.domain ? " " + std::string(domain_name(*part.domain)) : std::string();
        spdlog::error("{} section {}{}: {} {}", part.machine, part.section, domain,
                      part.decisions_only ? "precision, recall and F1 undefined:" : "undefined:",
                      part.reason);
    }
    if (!input.ignored_files.empty()) {
        spdlog::warn(
            "ignored {} file(s) of the ground-truth folder whose names match no "
            "ground-truth layout, for example '{}'",
            input.ignored_files.size(), input.ignored_files.front().string());
    }
}

// The 2021 evaluator splits each machine's rows at floor(M / 2) for its "source/target
// harmonic mean" lines; uadscope splits at the number of sections.
void note_2021_split(const DcaseResult& result) {
    const std::size_t half = result.machines.size() / 2;
    for (const MachineResult& machine : result.machines) {
        if (machine.sections.size() != half) {
            spdlog::info(
                "per-machine 'source/target harmonic mean' lines are over the source "
                "and target rows; the 2021 evaluator would split at floor({} machine "
                "types / 2) = {} rows instead of {} and write other values",
                result.machines.size(), half, machine.sections.size());
            return;
        }
    }
}

int run_evaluate(int argc, char** argv) {
    EvaluateOptions options;
    CLI::App app{
        "Compute the DCASE Task 2 metrics (AUC, pAUC, precision, recall, F1, their means and "
        "the official score) of a system's anomaly_score_*.csv and decision_result_*.csv "
        "files, exactly as the official evaluators do, and write their result table "
        "<name>_result.csv with a <name>_result.json beside it"};
    app.add_option("SCORES_DIR", options.scores_dir,
                   "Folder with the system's anomaly_score_*.csv and decision_result_*.csv")
        ->required();
    app.add_option("--ground-truth", options.ground_truth_dir,
                   "Ground-truth folder: ground_truth_*_section_NN_<domain>_test.csv files "
                   "(2021), or ground_truth_data/, ground_truth_domain/ and optional "
                   "ground_truth_attributes/ (2022 to 2025)")
        ->required();
    app.add_option("--edition", options.edition,
                   "Metric definitions: 2021, or 2022 to 2025 (one definition); auto takes "
                   "the ground-truth layout's")
        ->capture_default_str();
    app.add_option("-o,--output-dir", options.output_dir, "Folder for the result files")
        ->capture_default_str();
    app.add_option("--name", options.name,
                   "System name in the result file names (default: SCORES_DIR's name)");
    app.add_flag("--no-jackknife", options.no_jackknife,
                 "Skip the 2023 jackknife confidence interval (2 x clips leave-one-out ROCs)");
    app.add_option("-j,--jobs", options.jobs, "Threads for the jackknife; 0 uses every core")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    if (const auto code = parse_arguments(app, argc, argv)) {
        return *code;
    }
    if (options.edition != "auto") {
        choose_edition(options, EvaluatorLayout::dcase2023);
    }

    const EvaluatorInput input = read_evaluator_input(options.scores_dir, options.ground_truth_dir);
    log_input_problems(input);
    const DcaseEdition edition = choose_edition(options, input.layout);
    spdlog::info("{} clips read; scoring with the DCASE {} definitions", input.clips.size(),
                 edition == DcaseEdition::dcase2021 ? "2021" : "2022 to 2025");

    DcaseOptions metric_options;
    metric_options.jackknife = !options.no_jackknife;
    metric_options.jobs = options.jobs;
    const DcaseResult result =
        evaluate_dcase(input.clips, input.unavailable, edition, metric_options);
    if (edition == DcaseEdition::dcase2021) {
        note_2021_split(result);
    }

    const std::string name = system_name(options);
    const fs::path table_path = fs::path(options.output_dir) / result_table_file_name(name);
    fs::path json_path = table_path;
    json_path.replace_extension(".json");
    write_file_atomic(table_path, format_result_table(result));
    write_file_atomic(json_path, result_to_json(result).dump(1) + "\n");

    const auto show = [](const Metric& metric) {
        return metric.value ? python_float_repr(*metric.value)
                            : "undefined (" + metric.undefined_reason + ")";
    };
    std::printf("official score: %s\n", show(result.official_score).c_str());
    if (edition == DcaseEdition::dcase2023) {
        std::printf("official score ci95: %s\n", show(result.official_score_ci95).c_str());
    }
    std::printf("results -> %s\n", table_path.string().c_str());
    if (!result.complete()) {
        spdlog::warn("some values are undefined (empty cells in the table; reasons in {})",
                     json_path.string());
        return static_cast<int>(ExitCode::partial);
    }
    return static_cast<int>(ExitCode::ok);
}

const CommandRegistration registration(
    {"evaluate", "DCASE Task 2 metrics of anomaly scores, as the official evaluators", 60,
     run_evaluate});

}  // namespace
}  // namespace uadscope::cli
