#include <gtest/gtest.h>

#include "core/csv.h"
#include "core/error.h"

namespace uadscope {
namespace {

TEST(Csv, ParsesQuotedFields) {
    const auto table = parse_csv("a,b\n\"x,1\",\"say \"\"hi\"\"\"\n", true, "t.csv");
    ASSERT_EQ(table.rows.size(), 1u);
    EXPECT_EQ(table.rows[0][0], "x,1");
    EXPECT_EQ(table.rows[0][1], "say \"hi\"");
    EXPECT_EQ(table.column("b"), 1u);
    EXPECT_THROW(table.column("c"), Error);
}

TEST(Csv, HandlesCrLfAndMissingFinalNewline) {
    const auto table = parse_csv("a,b\r\n1,2\r\n3,4", true);
    ASSERT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.rows[1][1], "4");
}

TEST(Csv, SkipsBlankLinesAndKeepsEmptyFields) {
    const auto table = parse_csv("x,y\n\n,\n", true);
    ASSERT_EQ(table.rows.size(), 1u);
    EXPECT_EQ(table.rows[0][0], "");
    EXPECT_EQ(table.rows[0][1], "");
}

TEST(Csv, RejectsWrongFieldCountNamingLine) {
    try {
        parse_csv("a,b\n1,2\n3\n", true, "scores.csv");
        FAIL() << "a short row must throw";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("scores.csv' line 3"), std::string::npos)
            << error.what();
    }
}

TEST(Csv, RejectsUnclosedQuote) {
    EXPECT_THROW(parse_csv("a\n\"open\n", true), Error);
}

TEST(Csv, TextAfterClosingQuoteRejected) {
    try {
        parse_csv("a,b\n\"x\"y,2\n", true, "scores.csv");
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("scores.csv' line 2"), std::string::npos)
            << error.what();
    }
}

TEST(Csv, LoneCarriageReturnEndsARecord) {
    const auto table = parse_csv("a,b\r1,2\r3,4", true);
    ASSERT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.rows[1], (std::vector<std::string>{"3", "4"}));
}

TEST(Csv, QuotesOnlyWhenNeeded) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_line({"a", "b\"c", ""}), "a,\"b\"\"c\",\n");
}

TEST(Csv, RoundTrip) {
    const std::vector<std::string> fields = {"x", "1,2", "q\"", "line\nbreak"};
    const auto table = parse_csv(csv_line(fields), false);
    ASSERT_EQ(table.rows.size(), 1u);
    EXPECT_EQ(table.rows[0], fields);
}

}  // namespace
}  // namespace uadscope
