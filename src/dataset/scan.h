#pragma once

// Scanning dataset folders: every audio file below each root becomes a FileRecord through a
// naming scheme, or a SkippedFile with the reason.

#include <filesystem>
#include <string>
#include <vector>

#include "dataset/naming.h"
#include "dataset/record.h"

namespace uadscope::dataset {

struct DatasetRoot {
    std::string name;              // the dataset column of its records
    std::filesystem::path folder;  // absolute
    bool external = false;         // every file becomes an unlabelled external record
};

// Parses a command-line dataset argument: "DIR" (named after the folder) or "NAME=DIR".
// The folder is made absolute and must exist. Throws UsageError naming the argument.
DatasetRoot parse_dataset_root(const std::string& argument, bool external);

struct SkippedFile {
    std::string path;  // absolute
    std::string reason;
};

struct ScanResult {
    // Sorted by dataset root folder (path order), then relative path (bytewise); file_id is
    // the position.
    // Audio fields are empty: the index stage fills them from the headers.
    std::vector<FileRecord> records;
    std::vector<SkippedFile> skipped;  // sorted by path
    // Folders that could not be listed, with the cause such as "permission denied", sorted
    // by path. `skipped` lists them too, with a longer reason.
    std::vector<SkippedFile> unreadable_folders;
};

// Walks every root recursively, following symbolic links to files and to folders (a folder
// reached twice, as through a link loop, is entered once), and names each audio file
// (is_audio_file) with `schemes`, or with the external scheme for external roots. Hidden
// folders (names starting with '.') are not entered. Hidden audio files, such as the
// "._x.wav" resource forks of macOS archives, folders named like audio files and folders
// that cannot be read are skipped with the reason. A file reached twice is listed once:
// under the external root when one of its roots is external, else under the first root in
// sorted order and the first relative path. Throws UsageError for duplicate dataset names.
ScanResult scan_datasets(const std::vector<DatasetRoot>& roots, const std::vector<Scheme>& schemes);

}  // namespace uadscope::dataset
