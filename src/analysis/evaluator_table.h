#pragma once

// The result table of the official DCASE Task 2 evaluators, `<system>_result.csv`, and a
// JSON form of the same result.
//
// The CSV has the evaluators' rows, columns, order and number spelling (Python's repr, the
// shortest text that reads back as the same double). A complete result therefore gives
// the evaluator's bytes, with one exception. The 2021 per-machine "source/target harmonic
// mean" lines are over the source and target rows, whereas the 2021 evaluator splits the
// rows at half the number of machine types. An undefined value is an empty cell.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "analysis/dcase_metrics.h"

namespace uadscope::analysis {

// Formats a double as Python's repr() does: shortest round-trip digits, positional
// notation for decimal exponents -5 < e < 16 ("0.0001", "1.0"), exponent notation outside
// ("1e-05", "1.5e+16"), and "inf", "-inf", "nan".
std::string python_float_repr(double value);

// The file name the evaluators give the table of `system`: "<system>_result.csv".
std::string result_table_file_name(std::string_view system);

// The evaluator's result table for `result`, as CSV text.
std::string format_result_table(const DcaseResult& result);

// Every value of `result`, including the per-section counts, the undefined values'
// reasons, the jackknife and the additional means; numbers at full double precision.
nlohmann::ordered_json result_to_json(const DcaseResult& result);

}  // namespace uadscope::analysis
