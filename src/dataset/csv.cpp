#include "dataset/csv.h"

#include <fmt/format.h>

#include "core/error.h"

namespace uadscope::dataset {

void append_csv_row(std::string& out, const CsvRow& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        const std::string& field = fields[i];
        if (field.find_first_of(",\"\r\n") == std::string::npos) {
            out += field;
            continue;
        }
        out += '"';
        for (const char c : field) {
            if (c == '"') {
                out += '"';
            }
            out += c;
        }
        out += '"';
    }
    out += '\n';
}

std::vector<CsvRow> parse_csv(std::string_view text, const std::filesystem::path& source) {
    std::vector<CsvRow> rows;
    CsvRow row;
    std::string field;
    bool quoted = false;        // inside a quoted field
    bool after_quote = false;   // a quoted field just closed; only ',' or a line end may follow
    bool row_has_text = false;  // the current line has at least one character
    std::size_t line = 1;
    std::size_t quote_line = 0;  // line where the open quoted field started

    auto end_row = [&] {
        if (row_has_text) {
            row.push_back(std::move(field));
            rows.push_back(std::move(row));
        }
        row = {};
        field.clear();
        row_has_text = false;
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
            row.push_back(std::move(field));
            field.clear();
            row_has_text = true;
            after_quote = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            end_row();
            ++line;
        } else if (after_quote) {
            throw Error(
                fmt::format("'{}' line {}: text after a closing quote; quote the whole "
                            "field and double the quotes inside it",
                            source.string(), line));
        } else if (c == '"' && field.empty()) {
            quoted = true;
            quote_line = line;
            row_has_text = true;
        } else {
            field += c;
            row_has_text = true;
        }
    }
    if (quoted) {
        throw Error(
            fmt::format("'{}' line {}: quoted field is not closed before the end of the "
                        "file; the file may be truncated",
                        source.string(), quote_line));
    }
    end_row();
    return rows;
}

}  // namespace uadscope::dataset
