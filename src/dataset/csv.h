#pragma once

// Row-level CSV for the dataset and server modules, on top of core/csv.h (RFC 4180: fields
// separated by ',', a field quoted with '"' when it contains ',', '"', CR or LF, and '"'
// inside a quoted field doubled).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace uadscope::dataset {

using CsvRow = std::vector<std::string>;

// Appends one row with its line ending ("\n") to `out`.
void append_csv_row(std::string& out, const CsvRow& fields);

// Parses CSV text into rows. Accepts "\n" and "\r\n" line endings and a missing final
// line ending; skips empty lines. Throws Error naming `source` and the line for an
// unterminated quote or text after a closing quote.
std::vector<CsvRow> parse_csv(std::string_view text, const std::filesystem::path& source);

}  // namespace uadscope::dataset
