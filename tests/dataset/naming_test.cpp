#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "dataset/naming.h"

namespace uadscope::dataset {
namespace {

struct NamingCase {
    std::string path;
    std::string scheme;
    std::string device;
    int section;
    Domain domain;
    Split split;
    Label label;
    std::int64_t index;
    std::string attributes;  // format_attributes text
};

void PrintTo(const NamingCase& value, std::ostream* out) {
    *out << value.path;
}

class NamingTable : public ::testing::TestWithParam<NamingCase> {};

TEST_P(NamingTable, ParsesEveryField) {
    const NamingCase& expected = GetParam();
    const NameMatch match = parse_path(expected.path, detected_schemes());
    ASSERT_TRUE(match.name) << match.reason;
    const ParsedName& name = *match.name;
    EXPECT_EQ(name.scheme, expected.scheme);
    EXPECT_EQ(name.device, expected.device);
    EXPECT_EQ(name.section, expected.section);
    EXPECT_EQ(name.domain, expected.domain);
    EXPECT_EQ(name.split, expected.split);
    EXPECT_EQ(name.label, expected.label);
    EXPECT_EQ(name.index, expected.index);
    EXPECT_EQ(format_attributes(name.attributes), expected.attributes);
}

constexpr auto source = Domain::source;
constexpr auto target = Domain::target;
constexpr auto no_domain = Domain::unknown;
constexpr auto train = Split::train;
constexpr auto test = Split::test;
constexpr auto no_split = Split::unknown;
constexpr auto normal = Label::normal;
constexpr auto anomaly = Label::anomaly;
constexpr auto no_label = Label::unknown;

INSTANTIATE_TEST_SUITE_P(
    Schemes, NamingTable,
    ::testing::Values(
        NamingCase{"fan/train/section_00_source_train_normal_0000_noAttribute.wav", "dcase2022",
                   "fan", 0, source, train, normal, 0, ""},
        NamingCase{"ToyCar/test/section_01_target_test_anomaly_0003_car_C1_spd_1_mic_2.wav",
                   "dcase2022", "ToyCar", 1, target, test, anomaly, 3, "car=C1;spd=1;mic=2"},
        // The label position wins over an attribute value "normal".
        NamingCase{"valve/test/section_00_source_test_anomaly_0001_mode_normal_spd_1.wav",
                   "dcase2022", "valve", 0, source, test, anomaly, 1, "mode=normal;spd=1"},
        NamingCase{"slider/test/section_00_source_test_normal_0027_vel_730_ac_0.11.wav",
                   "dcase2022", "slider", 0, source, test, normal, 27, "vel=730;ac=0.11"},
        NamingCase{"fan/test/section_00_source_test_anomaly_0022_m-n_W.wav", "dcase2022", "fan", 0,
                   source, test, anomaly, 22, "m-n=W"},
        NamingCase{"gearbox/train/section_00_source_train_normal_0073_volt_1.5_wt_0.wav",
                   "dcase2022", "gearbox", 0, source, train, normal, 73, "volt=1.5;wt=0"},
        NamingCase{"fan/train/section_02_target_train_normal_0005_noAttribute.WAV", "dcase2022",
                   "fan", 2, target, train, normal, 5, ""},
        // A folder that looks like a section is not read: the section comes from the name.
        NamingCase{
            "section_99_backup/fan/train/section_00_source_train_normal_0000_noAttribute.wav",
            "dcase2022", "fan", 0, source, train, normal, 0, ""},
        NamingCase{"ToyCar/train/section_00_source_train_normal_0000_A1Spd28VMic1.wav", "dcase2021",
                   "ToyCar", 0, source, train, normal, 0, "model=A1;spd=28V;mic=1"},
        NamingCase{"fan/source_test/section_00_source_test_normal_0001_strength_1_ambient.wav",
                   "dcase2021", "fan", 0, source, test, normal, 1, "attr=strength_1_ambient"},
        NamingCase{"gearbox/target_test/section_01_target_test_anomaly_0004.wav", "dcase2021",
                   "gearbox", 1, target, test, anomaly, 4, ""},
        NamingCase{"fan/test/section_00_0007.wav", "eval", "fan", 0, no_domain, test, no_label, 7,
                   ""},
        NamingCase{"fan/test/section_00_source_test_0003.wav", "eval", "fan", 0, source, test,
                   no_label, 3, ""},
        NamingCase{"pump/target_test/section_03_0012.wav", "eval", "pump", 3, target, test,
                   no_label, 12, ""},
        NamingCase{"valve/train/normal_id_02_00000001.wav", "dcase2020", "valve", 2, no_domain,
                   train, normal, 1, ""},
        NamingCase{"ToyCar/test/anomaly_id_04_00000167.wav", "dcase2020", "ToyCar", 4, no_domain,
                   test, anomaly, 167, ""},
        NamingCase{"-6_dB_fan/fan/id_00/abnormal/00000000.wav", "mimii", "fan", 0, no_domain,
                   no_split, anomaly, 0, "snr_db=-6"},
        NamingCase{"6_dB_pump/pump/id_04/normal/00000042.wav", "mimii", "pump", 4, no_domain,
                   no_split, normal, 42, "snr_db=6"},
        NamingCase{"train_cut/engine2_broken/pure_12.wav", "idmt-engine", "engine", 0, no_domain,
                   train, anomaly, 12, "engine=2;condition=broken;cut=1"},
        NamingCase{"test/engine1_good/talking_3.wav", "idmt-engine", "engine", 0, no_domain, test,
                   normal, 3, "engine=1;condition=good;cut=0"},
        NamingCase{"test_cut/engine3_heavyload/atmo_low_7.wav", "idmt-engine", "engine", 0,
                   no_domain, test, anomaly, 7, "engine=3;condition=heavyload;cut=1"}));

struct SkipCase {
    std::string path;
    std::string reason_part;  // text the reason must contain
};

void PrintTo(const SkipCase& value, std::ostream* out) {
    *out << value.path;
}

class SkipTable : public ::testing::TestWithParam<SkipCase> {};

TEST_P(SkipTable, SkipsWithReason) {
    const SkipCase& expected = GetParam();
    const NameMatch match = parse_path(expected.path, detected_schemes());
    ASSERT_FALSE(match.name) << "parsed as " << match.name->scheme;
    EXPECT_NE(match.reason.find(expected.reason_part), std::string::npos) << match.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Unmatched, SkipTable,
    ::testing::Values(
        SkipCase{"odd/fan_recorded.wav", "no naming scheme matches"},
        SkipCase{"odd/resampled_22050/ToyCar_original_1.wav", "--external"},
        // The section folder sits where the split folder belongs; it is never read as a section.
        SkipCase{"fan/section_99_backup/section_00_source_train_normal_0000_noAttribute.wav",
                 "section_99_backup"},
        SkipCase{"fan/train/section_00_source_test_normal_0001_vel_1.wav", "name says test"},
        SkipCase{"fan/test/section_00_source_train_normal_0001_vel_1.wav", "name says train"},
        SkipCase{"fan/source_test/section_00_target_test_normal_0001.wav", "name says target"},
        SkipCase{"ToyCar/train/anomaly_id_01_00000000.wav", "training data is normal only"},
        SkipCase{"ToyCar/anomaly_id_01_00000000.wav", "expected <machine>/train/"},
        SkipCase{"fan/train/section_00_0007.wav", "name says test"},
        SkipCase{"fan/id_00/other/00000001.wav", "{normal,abnormal}"},
        SkipCase{"-6_dB_fan/pump/id_00/normal/00000001.wav", "different machine"},
        SkipCase{"misc/engine1_good/pure_1.wav", "{train,test}[_cut]"},
        SkipCase{"section_00_source_train_normal_0000_noAttribute.wav", "no split folder"},
        SkipCase{"train/section_00_source_train_normal_0000_noAttribute.wav", "machine folder"}));

TEST(Naming, ForcedSchemeRestrictsDetection) {
    const std::string packed = "ToyCar/train/section_00_source_train_normal_0000_A1Spd28VMic1.wav";
    const NameMatch as_2022 = parse_path(packed, Scheme::dcase2022);
    EXPECT_FALSE(as_2022.name);
    EXPECT_NE(as_2022.reason.find("not <key>_<value> pairs"), std::string::npos);

    const std::string paired = "slider/test/section_00_source_test_normal_0027_vel_730_ac_0.11.wav";
    const NameMatch as_2021 = parse_path(paired, Scheme::dcase2021);
    ASSERT_TRUE(as_2021.name);
    EXPECT_EQ(format_attributes(as_2021.name->attributes), "attr=vel_730_ac_0.11");

    const NameMatch evaluation_only = parse_path(paired, std::vector{Scheme::eval});
    EXPECT_FALSE(evaluation_only.name);
}

TEST(Naming, ExternalMatchesAnyFile) {
    const NameMatch match = parse_path("anything/at/all.flac", Scheme::external);
    ASSERT_TRUE(match.name);
    EXPECT_EQ(match.name->scheme, "external");
    EXPECT_EQ(match.name->device, "");
    EXPECT_EQ(match.name->section, -1);
    EXPECT_EQ(match.name->label, Label::unknown);
}

TEST(Naming, SchemeListParsing) {
    EXPECT_EQ(parse_scheme_list("auto"), detected_schemes());
    EXPECT_EQ(parse_scheme_list("dcase2022,eval"),
              (std::vector<Scheme>{Scheme::dcase2022, Scheme::eval}));
    EXPECT_THROW(parse_scheme_list("dcase2019"), UsageError);
    EXPECT_THROW(parse_scheme_list("dcase2022,"), UsageError);
    for (const Scheme scheme : detected_schemes()) {
        EXPECT_EQ(parse_scheme(scheme_name(scheme)), scheme);
    }
}

TEST(Naming, AudioExtensionsInAnyCase) {
    EXPECT_TRUE(is_audio_file("a/b.wav"));
    EXPECT_TRUE(is_audio_file("a/b.WAV"));
    EXPECT_TRUE(is_audio_file("a/b.Flac"));
    EXPECT_TRUE(is_audio_file("a/b.ogg"));
    EXPECT_FALSE(is_audio_file("a/b.mp3"));
    EXPECT_FALSE(is_audio_file("a/wav"));
    EXPECT_FALSE(is_audio_file("a/b.wav.txt"));
}

TEST(Attributes, FormatAndParseRoundTrip) {
    const Attributes attributes{{"vel", "730"}, {"ac", "0.11"}, {"m-n", "W"}, {"empty", ""}};
    const std::string text = format_attributes(attributes);
    EXPECT_EQ(text, "vel=730;ac=0.11;m-n=W;empty=");
    EXPECT_EQ(parse_attributes(text), attributes);
    EXPECT_TRUE(parse_attributes("").empty());
    EXPECT_THROW(parse_attributes("novalue"), Error);
    EXPECT_THROW(parse_attributes("=x"), Error);
}

}  // namespace
}  // namespace uadscope::dataset
