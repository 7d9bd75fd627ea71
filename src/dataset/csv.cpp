#include "dataset/csv.h"

#include "core/csv.h"

namespace uadscope::dataset {

void append_csv_row(std::string& out, const CsvRow& fields) {
    out += csv_line(fields);
}

std::vector<CsvRow> parse_csv(std::string_view text, const std::filesystem::path& source) {
    return uadscope::parse_csv(text, false, source.string()).rows;
}

}  // namespace uadscope::dataset
