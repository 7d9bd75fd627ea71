#pragma once

// RFC 4180 CSV: fields separated by commas, quoted with double quotes when they contain a
// comma, quote or line break, quotes doubled inside quoted fields.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace uadscope {

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    // Index of a header column; throws Error naming the file and the column when missing.
    std::size_t column(std::string_view name) const;
    std::filesystem::path source;  // file it was read from, for messages
};

// Parses CSV text. With has_header, the first record becomes the header and every row must
// have as many fields as the header (Error names the source and the line otherwise).
CsvTable parse_csv(std::string_view text, bool has_header, const std::string& source = "");

CsvTable read_csv(const std::filesystem::path& path, bool has_header = true);

// Quotes a field when needed.
std::string csv_field(std::string_view value);

// Joins fields into one CSV line with a trailing newline.
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace uadscope
