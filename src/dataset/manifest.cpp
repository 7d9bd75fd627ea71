#include "dataset/manifest.h"

#include <charconv>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/hash.h"
#include "dataset/csv.h"

namespace uadscope::dataset {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view rerun_hint = "run `uadscope index` again to rebuild it";

std::string integer_text(std::int64_t value, bool empty_when_negative) {
    return empty_when_negative && value < 0 ? std::string() : std::to_string(value);
}

// Reads the columns of one manifest row by name and converts them with errors that name the
// file, line and column.
class RowReader {
  public:
    RowReader(const fs::path& path, const std::map<std::string, std::size_t>& columns,
              const CsvRow& row, std::size_t row_number)
        : path_(path), columns_(columns), row_(row), row_number_(row_number) {}

    const std::string& text(const std::string& column) const {
        const std::size_t index = columns_.at(column);
        if (index >= row_.size()) {
            fail(column,
                 fmt::format("the row has {} fields, the header {}", row_.size(), columns_.size()));
        }
        return row_[index];
    }

    // Integer column; `empty_value` is returned for an empty field when given, otherwise an
    // empty field is an error.
    std::int64_t integer(const std::string& column,
                         std::optional<std::int64_t> empty_value = std::nullopt) const {
        const std::string& value = text(column);
        if (value.empty() && empty_value) {
            return *empty_value;
        }
        std::int64_t result = 0;
        const auto [end, error] =
            std::from_chars(value.data(), value.data() + value.size(), result);
        if (error != std::errc() || end != value.data() + value.size()) {
            fail(column, fmt::format("'{}' is not an integer", value));
        }
        return result;
    }

    template <typename T>
    T parsed(const std::string& column, std::optional<T> (*parse)(std::string_view)) const {
        const std::string& value = text(column);
        const auto result = parse(value);
        if (!result) {
            fail(column, fmt::format("invalid value '{}'", value));
        }
        return *result;
    }

    [[noreturn]] void fail(const std::string& column, const std::string& problem) const {
        throw Error(fmt::format("'{}' row {} (after the header), column {}: {}; {}", path_.string(),
                                row_number_, column, problem, rerun_hint));
    }

  private:
    const fs::path& path_;
    const std::map<std::string, std::size_t>& columns_;
    const CsvRow& row_;
    std::size_t row_number_;
};

}  // namespace

const std::vector<std::string>& manifest_columns() {
    static const std::vector<std::string> columns = {
        "file_id",  "path",   "relative_path", "dataset", "scheme",     "device",   "section",
        "domain",   "split",  "label",         "index",   "attributes", "external", "sample_rate",
        "channels", "frames", "format",        "status",  "file_stamp"};
    return columns;
}

fs::path manifest_path(const fs::path& workspace) {
    return workspace / "manifest.csv";
}

std::string format_manifest(const std::vector<FileRecord>& records) {
    std::string text;
    append_csv_row(text, manifest_columns());
    for (std::size_t i = 0; i < records.size(); ++i) {
        const FileRecord& record = records[i];
        UADSCOPE_ASSERT(record.file_id == static_cast<std::int64_t>(i));
        append_csv_row(text, {
                                 std::to_string(record.file_id),
                                 record.path,
                                 record.relative_path,
                                 record.dataset,
                                 record.name.scheme,
                                 record.name.device,
                                 record.section_text(),
                                 std::string(to_string(record.name.domain)),
                                 std::string(to_string(record.name.split)),
                                 std::string(to_string(record.name.label)),
                                 integer_text(record.name.index, true),
                                 format_attributes(record.name.attributes),
                                 record.external ? "1" : "0",
                                 record.readable() ? std::to_string(record.sample_rate) : "",
                                 record.readable() ? std::to_string(record.channels) : "",
                                 record.readable() ? std::to_string(record.frames) : "",
                                 record.format,
                                 record.status,
                                 record.file_stamp,
                             });
    }
    return text;
}

void write_manifest(const fs::path& path, const std::vector<FileRecord>& records) {
    write_file_atomic(path, format_manifest(records));
}

std::string manifest_fingerprint(const std::string& text) {
    return Hasher().add(text).hex();
}

Manifest read_manifest(const fs::path& path) {
    if (!fs::exists(path)) {
        throw Error(
            fmt::format("manifest '{}' not found: run `uadscope index DATASET... -o "
                        "WORK` first",
                        path.string()));
    }
    const std::string text = read_file(path);
    const std::vector<CsvRow> rows = parse_csv(text, path);
    if (rows.empty()) {
        throw Error(fmt::format("manifest '{}' is empty; {}", path.string(), rerun_hint));
    }

    std::map<std::string, std::size_t> columns;
    for (std::size_t i = 0; i < rows[0].size(); ++i) {
        columns.emplace(rows[0][i], i);
    }
    for (const std::string& column : manifest_columns()) {
        if (!columns.contains(column)) {
            throw Error(fmt::format("manifest '{}' has no column '{}'; {}", path.string(), column,
                                    rerun_hint));
        }
    }

    Manifest manifest;
    manifest.path = path;
    manifest.fingerprint = manifest_fingerprint(text);
    manifest.records.reserve(rows.size() - 1);
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const RowReader row(path, columns, rows[r], r);
        FileRecord record;
        record.file_id = row.integer("file_id");
        if (record.file_id != static_cast<std::int64_t>(r - 1)) {
            row.fail("file_id",
                     fmt::format("expected {} (rows are numbered from 0 in order)", r - 1));
        }
        record.path = row.text("path");
        record.relative_path = row.text("relative_path");
        record.dataset = row.text("dataset");
        record.name.scheme = row.text("scheme");
        record.name.device = row.text("device");
        record.name.section = static_cast<int>(row.integer("section", -1));
        record.name.domain = row.parsed<Domain>("domain", parse_domain);
        record.name.split = row.parsed<Split>("split", parse_split);
        record.name.label = row.parsed<Label>("label", parse_label);
        record.name.index = row.integer("index", -1);
        try {
            record.name.attributes = parse_attributes(row.text("attributes"));
        } catch (const Error& error) {
            row.fail("attributes", error.what());
        }
        const std::string& external = row.text("external");
        if (external != "0" && external != "1") {
            row.fail("external", fmt::format("'{}' is not 0 or 1", external));
        }
        record.external = external == "1";
        record.sample_rate = static_cast<int>(row.integer("sample_rate", 0));
        record.channels = static_cast<int>(row.integer("channels", 0));
        record.frames = row.integer("frames", 0);
        record.format = row.text("format");
        record.status = row.text("status");
        if (record.status.empty()) {
            row.fail("status", "empty (expected ok or the reason the file is unreadable)");
        }
        record.file_stamp = row.text("file_stamp");
        if (record.path.empty()) {
            row.fail("path", "empty");
        }
        manifest.records.push_back(std::move(record));
    }
    return manifest;
}

}  // namespace uadscope::dataset
