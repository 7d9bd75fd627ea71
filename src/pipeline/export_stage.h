#pragma once

// The `export` stage: copies one representation of a workspace into formats other tools
// read.
//
// - .npy folder: data.npy float32 [frames, dims], file_offsets.npy int64 [files + 1],
//   energy.npy float32 [frames] and files.csv (the manifest columns plus first_frame,
//   frames and status of each file).
// - The layout that the scripts of Fernandez and Plumbley (DCASE 2021 workshop, repository
//   andres-fr/dcase2021_umaps, class IncrementalHDF5) read: one HDF5 file with data
//   float32 [dims, frames], data_idxs int64 [2, files] and metadata, one JSON string per
//   file. Row 0 of data_idxs is the first frame of each file and row 1 its end (excluded).

#include <filesystem>
#include <string>
#include <vector>

#include "dataset/manifest.h"
#include "pipeline/feature_file.h"

namespace uadscope::pipeline {

// Throws UsageError naming `output` when it is the workspace folder `workspace`, or is or lies
// inside the workspace's own data: manifest.csv, skipped.csv, report.html, the features,
// maps, scores, metrics, plots and ground_truth folders, or any .parts folder. Both paths
// are resolved with weakly_canonical first, so "./", ".." and symbolic links do not get
// around the check.
void check_export_path(const std::filesystem::path& workspace, const std::filesystem::path& output);

// Writes the .npy export of `features` into `folder` (created when missing); every file is
// written atomically. Returns the paths written.
std::vector<std::filesystem::path> export_npy(const FeatureFile& features,
                                              const dataset::Manifest& manifest,
                                              const std::filesystem::path& folder);

// Writes the paper scripts' HDF5 layout of `features` to `path` atomically.
// NOTE: data is transposed in memory, so this needs frames x dims x 4 bytes of RAM.
void export_paper(const FeatureFile& features, const dataset::Manifest& manifest,
                  const std::filesystem::path& path);

// The JSON metadata string of one file in the paper layout: path (relative), device,
// section ("00" or null), domain, split, label, index, attributes (an object), dataset,
// external, file_id and status.
std::string paper_metadata(const dataset::FileRecord& record, const std::string& status);

}  // namespace uadscope::pipeline
