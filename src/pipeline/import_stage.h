#pragma once

// The `import` stage: brings embeddings computed elsewhere (OpenL3, PANNs, BEATs, ...) into
// WORK/features/<name>.h5, in the feature file layout, with energy 0.
//
// Sources:
// - a folder of .npy files (searched recursively), one per audio file, [frames, dims],
//   float32 or float64;
// - one HDF5 file in the layout of the 2021 paper's scripts (see export_stage.h): data
//   [dims, frames], data_idxs [2, files], metadata JSON strings with a "path".
//
// Each embedding is matched to a manifest row by, in this order: <dataset>/<relative path>
// without extension, the relative path without extension, and the basename without
// extension. A basename shared by several manifest files (for example the same DCASE 2020
// name in two machine folders) is ambiguous unless the source mirrors the folders.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace uadscope::pipeline {

struct ImportOptions {
    std::filesystem::path workspace;
    std::string name;              // representation name; not log_stft or log_mel
    std::filesystem::path source;  // folder of .npy files or one .h5 file
    double hop_seconds = 0;        // seconds between embedding frames, > 0
    int jobs = 0;                  // threads checking .npy files; 0: all cores
    std::string tool_version = "unknown";
};

struct ImportResult {
    std::size_t files = 0;     // manifest rows
    std::size_t imported = 0;  // manifest rows with an embedding
    std::int64_t dims = 0;     // the majority dims, which every imported embedding has
    std::filesystem::path output;
    // Manifest files without an imported embedding, with the reason (missing, ambiguous,
    // or the rejected embedding's problem), in manifest order.
    std::vector<std::pair<std::string, std::string>> missing;
    // Source entries that were not imported, with the reason: no manifest file of that
    // name, ambiguous name, wrong rank, not float, other dims, NaN or infinity.
    std::vector<std::pair<std::string, std::string>> rejected;

    ExitCode exit_code() const {
        return missing.empty() && rejected.empty() ? ExitCode::ok : ExitCode::partial;
    }
};

// Runs the stage. Throws UsageError for invalid options and Error when the source cannot be
// read or no embedding matches any manifest file.
ImportResult run_import(const ImportOptions& options);

}  // namespace uadscope::pipeline
