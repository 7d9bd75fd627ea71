#pragma once

// Reading the input layouts of the official DCASE Task 2 evaluators into clips.
//
// Ground truth, 2021 layout (GT_DIR or GT_DIR/ground_truth_data):
//   ground_truth_<machine>_section_<NN>_<source|target>_test.csv   rows "<file>,<0|1 label>"
// Ground truth, 2022 to 2025 layout:
//   GT_DIR/ground_truth_data/ground_truth_<machine>_section_<NN>_test.csv  "<file>,<label>"
//   GT_DIR/ground_truth_domain/<same name>        "<file>,<0 source|1 target>"
//   GT_DIR/ground_truth_attributes/<same name>    "<file>,<original name without .wav>"
//     (optional: score and decision rows named "<original name>.wav" are renamed to <file>)
// System output in SCORES_DIR, one file per ground-truth file of the layout:
//   anomaly_score_<machine>_section_<NN>[_<domain>]_test.csv     "<file>,<score>"
//   decision_result_<machine>_section_<NN>[_<domain>]_test.csv   "<file>,<0|1>"
//   (2022 to 2025 also: the baseline's anomaly_score_DCASE20YYT2<machine>_section_<NN>_
//   test_seed<seed><tag>_Eval.csv names, used when the plain name is absent.)
//
// Files have no header. Unlike the evaluators, which pair the i-th row of each file after
// sorting, rows are joined by file name, so a name missing from one file is an error, not
// a silent mispairing. Clips of a section are ordered by file name in code-point order, as
// the evaluators order them. A missing or invalid file makes its part unavailable, with the
// file and line in the reason; the other parts are still read.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analysis/dcase_metrics.h"

namespace uadscope::analysis {

enum class EvaluatorLayout {
    // One ground-truth file per (machine, section, domain).
    dcase2021,
    // One ground-truth file per (machine, section), domains in ground_truth_domain/.
    dcase2023,
};

struct EvaluatorInput {
    EvaluatorLayout layout = EvaluatorLayout::dcase2023;
    std::vector<Clip> clips;
    std::vector<UnavailablePart> unavailable;
    // Files of the ground-truth folder that match neither layout, ignored.
    std::vector<std::filesystem::path> ignored_files;
};

// Returns the layout of a ground-truth folder, or nothing when it contains ground-truth
// files of neither layout. Throws Error when the folder does not exist.
std::optional<EvaluatorLayout> detect_evaluator_layout(const std::filesystem::path& ground_truth);

// Reads every ground-truth file of the folder and the matching score and decision files.
// Throws Error when a folder does not exist or the ground-truth folder contains no file of
// either layout. Every other problem becomes an UnavailablePart.
EvaluatorInput read_evaluator_input(const std::filesystem::path& scores,
                                    const std::filesystem::path& ground_truth);

}  // namespace uadscope::analysis
