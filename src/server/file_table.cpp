#include "server/file_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/atomic_file.h"
#include "core/error.h"
#include "dataset/csv.h"
#include "dataset/manifest.h"

namespace uadscope::server {

namespace fs = std::filesystem;

namespace {

// Columns that identify a file rather than group files: colouring by them is "colour by
// file", which the viewer offers separately.
const std::set<std::string> non_field_columns = {"file_id",    "path",   "relative_path",
                                                 "file_stamp", "frames", "index"};

class FieldBuilder {
  public:
    explicit FieldBuilder(std::string name, std::size_t files) {
        field_.name = std::move(name);
        field_.codes.assign(files, unset);
    }
    void set(std::size_t file, const std::string& value) {
        auto [position, inserted] =
            index_.try_emplace(value, static_cast<std::int32_t>(field_.values.size()));
        if (inserted) {
            field_.values.push_back(value);
        }
        field_.codes[file] = position->second;
    }
    // Finishes the field; files that never got a value share an extra empty value.
    Field take() {
        const auto empty = static_cast<std::int32_t>(field_.values.size());
        bool any_unset = false;
        for (auto& code : field_.codes) {
            if (code == unset) {
                code = empty;
                any_unset = true;
            }
        }
        if (any_unset) {
            field_.values.emplace_back();
        }
        return std::move(field_);
    }

  private:
    static constexpr std::int32_t unset = -1;
    Field field_;
    std::unordered_map<std::string, std::int32_t> index_;
};

// Splits "key=value;key=value" into pairs; text without '=' is skipped, because the
// explorer only displays attributes and must not reject a manifest over them.
std::vector<std::pair<std::string, std::string>> split_attributes(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(';', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string pair = text.substr(start, end - start);
        const std::size_t equals = pair.find('=');
        if (equals != std::string::npos) {
            pairs.emplace_back(pair.substr(0, equals), pair.substr(equals + 1));
        }
        start = end + 1;
    }
    return pairs;
}

void build_fields(FileTable& table) {
    const std::size_t files = table.size();
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (non_field_columns.count(table.columns[c]) > 0) {
            continue;
        }
        FieldBuilder builder(table.columns[c], files);
        for (std::size_t file = 0; file < files; ++file) {
            builder.set(file, table.rows[file][c]);
        }
        table.fields.push_back(builder.take());
    }

    const int attributes = table.column("attributes");
    if (attributes >= 0) {
        std::map<std::string, FieldBuilder> by_key;
        for (std::size_t file = 0; file < files; ++file) {
            for (const auto& [key, value] :
                 split_attributes(table.rows[file][static_cast<std::size_t>(attributes)])) {
                auto& builder = by_key.try_emplace(key, "attribute." + key, files).first->second;
                builder.set(file, value);
            }
        }
        for (auto& [key, builder] : by_key) {
            table.fields.push_back(builder.take());
        }
    }

    if (table.column("split") >= 0 && table.column("label") >= 0) {
        FieldBuilder builder("split_label", files);
        for (std::size_t file = 0; file < files; ++file) {
            builder.set(file, table.value(file, "split") + " " + table.value(file, "label"));
        }
        table.fields.push_back(builder.take());
    }
}

}  // namespace

int FileTable::column(const std::string& name) const {
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (columns[c] == name) {
            return static_cast<int>(c);
        }
    }
    return -1;
}

std::string FileTable::value(std::size_t file, const std::string& column_name) const {
    const int c = column(column_name);
    return c < 0 ? std::string() : rows[file][static_cast<std::size_t>(c)];
}

const Field* FileTable::field(const std::string& name) const {
    for (const auto& candidate : fields) {
        if (candidate.name == name) {
            return &candidate;
        }
    }
    return nullptr;
}

FileTable read_file_table(const fs::path& manifest_file) {
    // The dataset module validates the columns of its format. The raw rows add any column
    // that it does not read, so that the viewer can colour by it too.
    const dataset::Manifest manifest = dataset::read_manifest(manifest_file);
    const std::vector<dataset::CsvRow> rows =
        dataset::parse_csv(read_file(manifest_file), manifest_file);
    UADSCOPE_ASSERT(rows.size() == manifest.size() + 1);

    FileTable table;
    table.columns = rows[0];
    for (std::size_t file = 0; file < manifest.size(); ++file) {
        const dataset::FileRecord& record = manifest.records[file];
        dataset::CsvRow row = rows[file + 1];
        row.resize(table.columns.size());
        fs::path audio = record.path;
        if (audio.is_relative()) {
            audio = manifest_file.parent_path() / audio;
        }
        table.paths.push_back(audio.lexically_normal());
        table.names.push_back(record.relative_path.empty() ? audio.filename().string()
                                                           : record.relative_path);
        table.duration_s.push_back(record.sample_rate > 0
                                       ? static_cast<double>(record.frames) / record.sample_rate
                                       : std::numeric_limits<double>::quiet_NaN());
        table.rows.push_back(std::move(row));
    }
    build_fields(table);
    return table;
}

}  // namespace uadscope::server
