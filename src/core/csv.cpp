#include "core/csv.h"

#include "core/atomic_file.h"
#include "core/error.h"

namespace uadscope {

std::size_t CsvTable::column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name) {
            return i;
        }
    }
    throw Error("CSV file '" + source.string() + "' has no column '" + std::string(name) + "'");
}

CsvTable parse_csv(std::string_view text, bool has_header, const std::string& source) {
    CsvTable table;
    table.source = source;
    std::vector<std::string> record;
    std::string field;
    bool in_quotes = false;
    bool field_started = false;
    std::size_t line = 1;
    std::size_t record_line = 1;

    auto finish_record = [&]() {
        record.push_back(std::move(field));
        field.clear();
        const bool blank = record.size() == 1 && record[0].empty();
        if (!blank) {
            if (has_header && table.header.empty()) {
                table.header = std::move(record);
            } else {
                if (has_header && record.size() != table.header.size()) {
                    throw Error("CSV file '" + source + "' line " + std::to_string(record_line) +
                                ": " + std::to_string(record.size()) + " fields, expected " +
                                std::to_string(table.header.size()) + " as in the header");
                }
                table.rows.push_back(std::move(record));
            }
        }
        record.clear();
        field_started = false;
        record_line = line;
    };

    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    in_quotes = false;
                }
            } else {
                if (c == '\n') {
                    ++line;
                }
                field += c;
            }
            continue;
        }
        if (c == '"' && !field_started) {
            in_quotes = true;
            field_started = true;
        } else if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
            field_started = false;
        } else if (c == '\n') {
            ++line;
            finish_record();
        } else if (c == '\r') {
            // Windows line ends: the '\n' that follows ends the record.
        } else {
            field += c;
            field_started = true;
        }
    }
    if (in_quotes) {
        throw Error("CSV file '" + source + "': quoted field opened on line " +
                    std::to_string(record_line) + " is never closed");
    }
    if (!field.empty() || !record.empty()) {
        finish_record();
    }
    return table;
}

CsvTable read_csv(const std::filesystem::path& path, bool has_header) {
    return parse_csv(read_file(path), has_header, path.string());
}

std::string csv_field(std::string_view value) {
    if (value.find_first_of(",\"\n\r") == std::string_view::npos) {
        return std::string(value);
    }
    std::string quoted = "\"";
    for (const char c : value) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string csv_line(const std::vector<std::string>& fields) {
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) {
            line += ',';
        }
        line += csv_field(fields[i]);
    }
    line += '\n';
    return line;
}

}  // namespace uadscope
