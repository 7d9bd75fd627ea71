#pragma once

// The file list of the demo dataset: which clips exist, their DCASE 2021 names and the
// random stream each is drawn from.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "synth/machine.h"

namespace uadscope::synth {

// Files per section, all derived from `clips` (the source-domain training clips), with the
// ratios of the DCASE 2021 development set scaled down: few target training clips, and
// equal numbers of normal and anomalous test clips in each domain.
struct SectionCounts {
    int source_train = 0;
    int target_train = 0;
    // Per domain and label: source_test contains test_per_label normal and test_per_label
    // anomalous clips, and so does target_test.
    int test_per_label = 0;

    int files() const { return source_train + target_train + 4 * test_per_label; }
};

// source_train = clips, target_train = max(1, round(0.3 clips)),
// test_per_label = ceil(clips / 2).
SectionCounts section_counts(int clips);

struct PlannedFile {
    ClipSpec spec;  // spec.frames is left at its default; the generator sets it
    bool train = false;
    bool anomaly_label = false;
    // Index within (machine, section, domain, split, label), as in the file name.
    int index = 0;
    // Random stream of the clip, a function of the fields above only, so a file keeps its
    // content when other machine types are added or --clips grows.
    std::uint64_t stream = 0;
    // "<machine>/<folder>/<name>.wav" with '/' separators.
    std::string relative_path;
};

// Lists every file for `machines` in a fixed order: machine, section, then train source,
// train target, source_test normal, source_test anomaly, target_test normal, target_test
// anomaly, each by index.
std::vector<PlannedFile> plan_dataset(std::span<const Machine> machines,
                                      const SectionCounts& counts);

// True when `relative_path` has the form plan_dataset produces (machine folder, DCASE 2021
// folder and name). Used before deleting files named in an old synth.json.
bool is_synth_path(const std::string& relative_path);

}  // namespace uadscope::synth
