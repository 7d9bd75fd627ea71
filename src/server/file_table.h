#pragma once

// The explorer's view of WORK/manifest.csv: every column as text, plus the categorical
// fields the viewer colours by, encoded as one small integer per file.
//
// Every column of the file becomes a field, including columns the manifest gains later, so
// the viewer can colour by them without a change here. Map files refer to files by manifest
// row (file_id).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace uadscope::server {

// One categorical field: the distinct values in order of first appearance and one code per
// file (codes[file] indexes values).
struct Field {
    std::string name;
    std::vector<std::string> values;
    std::vector<std::int32_t> codes;  // [files]
};

struct FileTable {
    std::vector<std::string> columns;            // manifest header, in file order
    std::vector<std::vector<std::string>> rows;  // [files][columns] raw text
    std::vector<std::filesystem::path> paths;    // [files] audio file on disk
    std::vector<std::string> names;              // [files] relative path shown to the user
    std::vector<double> duration_s;              // [files] seconds, NaN when unknown
    // Categorical fields: manifest columns except paths and per-file identifiers, then one
    // field per attribute key ("attribute.<key>"), then "split_label" ("test anomaly", ...).
    std::vector<Field> fields;

    std::size_t size() const { return paths.size(); }
    // Column index of `name`, or -1.
    int column(const std::string& name) const;
    // Text of `column_name` for `file`, empty when the column is absent.
    std::string value(std::size_t file, const std::string& column_name) const;
    const Field* field(const std::string& name) const;
};

// Reads `manifest_file` (WORK/manifest.csv) with the dataset module's reader, which throws
// Error naming the file, line and column for anything invalid. Relative audio paths are
// resolved against the manifest's folder.
FileTable read_file_table(const std::filesystem::path& manifest_file);

}  // namespace uadscope::server
