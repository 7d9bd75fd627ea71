#include "core/csv.h"

#include <fmt/format.h>

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
    bool quoted = false;           // inside a quoted field
    bool after_quote = false;      // a quoted field just closed; only ',' or a line end may follow
    bool record_has_text = false;  // the current line has at least one character
    std::size_t line = 1;
    std::size_t record_line = 1;
    std::size_t quote_line = 0;  // line where the open quoted field started

    // Blank lines are skipped.
    auto finish_record = [&]() {
        if (record_has_text) {
            record.push_back(std::move(field));
            if (has_header && table.header.empty()) {
                table.header = std::move(record);
            } else {
                if (has_header && record.size() != table.header.size()) {
                    throw Error(fmt::format(
                        "CSV file '{}' line {}: {} fields, expected {} as in the header", source,
                        record_line, record.size(), table.header.size()));
                }
                table.rows.push_back(std::move(record));
            }
        }
        record = {};
        field.clear();
        record_has_text = false;
        after_quote = false;
    };

    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                    after_quote = true;
                }
            } else {
                if (c == '\n') {
                    ++line;
                }
                field += c;
            }
            continue;
        }
        if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
            record_has_text = true;
            after_quote = false;
        } else if (c == '\n' || c == '\r') {
            // "\n", "\r\n" and a lone "\r" end a record.
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            finish_record();
            ++line;
            record_line = line;
        } else if (after_quote) {
            throw Error(fmt::format(
                "CSV file '{}' line {}: text after a closing quote; quote the whole field and "
                "double the quotes inside it",
                source, line));
        } else if (c == '"' && field.empty()) {
            quoted = true;
            quote_line = line;
            record_has_text = true;
        } else {
            field += c;
            record_has_text = true;
        }
    }
    if (quoted) {
        throw Error(fmt::format(
            "CSV file '{}' line {}: quoted field is not closed before the end of the file; the "
            "file may be truncated",
            source, quote_line));
    }
    finish_record();
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
