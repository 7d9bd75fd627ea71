// The evaluators' number spelling and table layout. Expected strings are Python 3.11's
// repr() of the same doubles (Debian's /usr/bin/python3).

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "analysis/evaluator_table.h"

namespace uadscope::analysis {
namespace {

TEST(PythonFloatRepr, MatchesPython) {
    const std::vector<std::pair<double, std::string>> cases = {
        {0.1, "0.1"},
        {1.0, "1.0"},
        {1e-05, "1e-05"},
        {0.0001, "0.0001"},
        {0.00012345, "0.00012345"},
        {1e+16, "1e+16"},
        {1000000000000000.0, "1000000000000000.0"},
        {123456789.0, "123456789.0"},
        {4.440892098500624e-16, "4.440892098500624e-16"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {1.5e-310, "1.5e-310"},
        {5e-324, "5e-324"},
        {1.7976931348623157e+308, "1.7976931348623157e+308"},
        {0.6862749999999999, "0.6862749999999999"},
        {12345.678, "12345.678"},
        {2.5, "2.5"},
        {100.0, "100.0"},
        {1e+22, "1e+22"},
        {1.2345678901234566e+17, "1.2345678901234566e+17"},
        {-2.5e-07, "-2.5e-07"},
        {9999999999999998.0, "9999999999999998.0"},
        {0.3333333333333333, "0.3333333333333333"},
        {std::numeric_limits<double>::infinity(), "inf"},
        {-std::numeric_limits<double>::infinity(), "-inf"},
        {std::numeric_limits<double>::quiet_NaN(), "nan"},
    };
    for (const auto& [value, expected] : cases) {
        EXPECT_EQ(python_float_repr(value), expected);
    }
}

TEST(ResultTable, FileNameFollowsEvaluators) {
    EXPECT_EQ(result_table_file_name("baseline_ae"), "baseline_ae_result.csv");
}

Clip make_clip(std::string section, Domain domain, std::uint8_t label, double score) {
    Clip clip;
    clip.machine = "fan";
    clip.section = std::move(section);
    clip.domain = domain;
    clip.label = label;
    clip.score = score;
    clip.decision = label;
    return clip;
}

TEST(ResultTable, UndefinedValuesAreEmptyCells) {
    // Section 00 complete; section 01 target has normal clips only, so its AUC and pAUC are
    // undefined, and so is every mean over them.
    const std::vector<Clip> clips = {
        make_clip("00", Domain::source, 0, 0.1), make_clip("00", Domain::source, 1, 0.9),
        make_clip("00", Domain::target, 0, 0.2), make_clip("00", Domain::target, 1, 0.8),
        make_clip("01", Domain::source, 0, 0.1), make_clip("01", Domain::source, 1, 0.9),
        make_clip("01", Domain::target, 0, 0.2), make_clip("01", Domain::target, 0, 0.3),
    };
    const DcaseResult result = evaluate_dcase(clips, {}, DcaseEdition::dcase2021);
    const std::string table = format_result_table(result);
    EXPECT_NE(table.find("fan\nsection,domain,AUC,pAUC,precision,recall,F1 score\n"),
              std::string::npos);
    EXPECT_NE(table.find("00,source,1.0,1.0,1.0,1.0,1.0\n"), std::string::npos) << table;
    EXPECT_NE(table.find("01,target,,,0.0,0.0,0.0\n"), std::string::npos) << table;
    EXPECT_NE(table.find("arithmetic mean,,,,0.75,0.75,0.75\n"), std::string::npos) << table;
    EXPECT_NE(table.find("\nofficial score,,\n"), std::string::npos) << table;

    const nlohmann::ordered_json json = result_to_json(result);
    EXPECT_FALSE(json.at("complete").get<bool>());
    const nlohmann::ordered_json& target =
        json.at("machines").at(0).at("sections").at(1).at("target");
    EXPECT_TRUE(target.at("AUC").is_null());
    EXPECT_EQ(target.at("undefined").at("AUC").get<std::string>(),
              "only one class: no anomalous clips in the target domain");
    EXPECT_EQ(target.at("precision").get<double>(), 0.0);
}

}  // namespace
}  // namespace uadscope::analysis
