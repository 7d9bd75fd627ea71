#pragma once

// Detector scores in the DCASE submission layout, joined to the manifest.
//
// WORK/scores/anomaly_score_<machine>_section_<NN>_test.csv (DCASE 2021 onwards) and
// anomaly_score_<machine>_id_<NN>.csv (DCASE 2020) hold rows "file_name,score" without a
// header. Other CSV files (result.csv, decision_result_*.csv) are not scores and are
// ignored. CSV files directly in WORK/scores form the set "scores"; each subfolder
// WORK/scores/<name>/ forms the set <name>, so several detectors can sit side by side.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "server/file_table.h"

namespace uadscope::server {

struct ScoreSet {
    std::string name;
    std::vector<double> scores;  // [files] score of each manifest row; NaN when it has none
    std::size_t matched = 0;     // rows of the CSV files that matched a manifest file
    std::size_t unmatched = 0;   // rows whose file is not in the manifest (logged once per CSV)
};

// Reads every score set under `scores_dir` (none when the folder is absent). A row matches
// the manifest file with the same base name and, when the manifest has a `device` column,
// the machine type of the CSV's name. Unreadable CSV files are logged and skipped.
std::vector<ScoreSet> read_score_sets(const std::filesystem::path& scores_dir,
                                      const FileTable& files);

}  // namespace uadscope::server
