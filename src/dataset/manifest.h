#pragma once

// The manifest: WORK/manifest.csv, one row per audio file, read by every later stage.
// Its columns are listed in manifest_columns() and documented in docs/formats.md.

#include <filesystem>
#include <string>
#include <vector>

#include "dataset/record.h"

namespace uadscope::dataset {

struct Manifest {
    std::filesystem::path path;       // the manifest.csv that was read
    std::vector<FileRecord> records;  // in file_id order: records[i].file_id == i
    std::string fingerprint;          // Hasher hex of the file's bytes; changes with any row

    std::size_t size() const { return records.size(); }
};

// Header of manifest.csv, in column order.
const std::vector<std::string>& manifest_columns();

// The manifest file of a workspace: WORK/manifest.csv.
std::filesystem::path manifest_path(const std::filesystem::path& workspace);

// Renders records as manifest.csv text (header first). file_id must equal the row number.
std::string format_manifest(const std::vector<FileRecord>& records);

// Writes records to `path` atomically.
void write_manifest(const std::filesystem::path& path, const std::vector<FileRecord>& records);

// Reads a manifest written by write_manifest. Columns are found by header name, so their
// order may change and unknown columns are ignored. Throws Error naming the file, the line
// and the column for a missing file, a missing column or an invalid value, and telling the
// user to run `uadscope index` again.
Manifest read_manifest(const std::filesystem::path& path);

// Fingerprint of manifest.csv text, as stored in Manifest::fingerprint.
std::string manifest_fingerprint(const std::string& text);

}  // namespace uadscope::dataset
