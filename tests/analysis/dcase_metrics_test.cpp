// DCASE metric definitions on small hand-made test sets whose values are worked out in the
// comments, plus the undefined cases.

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <vector>

#include "analysis/dcase_metrics.h"
#include "core/error.h"

namespace uadscope::analysis {
namespace {

Clip clip(std::string machine, std::string section, Domain domain, std::uint8_t label, double score,
          std::optional<std::uint8_t> decision = std::nullopt) {
    Clip c;
    c.machine = std::move(machine);
    c.section = std::move(section);
    c.domain = domain;
    c.label = label;
    c.score = score;
    c.decision = decision;
    return c;
}

const Metric& metric(const SectionResult& section, Domain domain, MetricKind kind) {
    return section.domains[static_cast<std::size_t>(domain)]
        .metrics[static_cast<std::size_t>(kind)];
}

constexpr auto auc = MetricKind::auc;
constexpr auto pauc = MetricKind::pauc;

// fan section 00: source normals {0, 1}, source anomaly {2}, target normal {3}, target
// anomaly {0.5}.
std::vector<Clip> two_domain_section() {
    return {
        clip("fan", "00", Domain::source, 0, 0.0, 0), clip("fan", "00", Domain::source, 0, 1.0, 1),
        clip("fan", "00", Domain::source, 1, 2.0, 1), clip("fan", "00", Domain::target, 0, 3.0, 1),
        clip("fan", "00", Domain::target, 1, 0.5, 0)};
}

TEST(EvaluateDcase, Definition2021ScoresEachDomainAlone) {
    const auto clips = two_domain_section();
    const DcaseResult result = evaluate_dcase(clips, {}, DcaseEdition::dcase2021);
    ASSERT_EQ(result.machines.size(), 1u);
    const SectionResult& section = result.machines[0].sections.at(0);
    // Source: anomaly 2 above both normals.
    EXPECT_EQ(metric(section, Domain::source, auc).value, 1.0);
    // Target: anomaly 0.5 below the normal 3.
    EXPECT_EQ(metric(section, Domain::target, auc).value, 0.0);
    EXPECT_FALSE(section.auc_all.defined());
    // Source decisions 0, 1, 1 for labels 0, 0, 1: TP 1, FP 1, FN 0.
    EXPECT_EQ(metric(section, Domain::source, MetricKind::precision).value, 0.5);
    EXPECT_EQ(metric(section, Domain::source, MetricKind::recall).value, 1.0);
    // Target decisions 1, 0 for labels 0, 1: TP 0, so precision = recall = F1 = 0.
    EXPECT_EQ(metric(section, Domain::target, MetricKind::f1).value, 0.0);
    EXPECT_TRUE(result.complete());
}

TEST(EvaluateDcase, Definition2023UsesAllAnomaliesOfTheSection) {
    const auto clips = two_domain_section();
    DcaseOptions options;
    options.jackknife = false;
    const DcaseResult result = evaluate_dcase(clips, {}, DcaseEdition::dcase2023, options);
    const SectionResult& section = result.machines[0].sections.at(0);
    // Source normals {0, 1} against anomalies {2, 0.5}: 3 of 4 pairs ordered.
    EXPECT_EQ(metric(section, Domain::source, auc).value, 0.75);
    // Target normal {3} against anomalies {2, 0.5}: none ordered.
    EXPECT_EQ(metric(section, Domain::target, auc).value, 0.0);
    // All normals {0, 1, 3} against anomalies {2, 0.5}: 3 of 6 pairs.
    EXPECT_EQ(section.auc_all.value, 0.5);
    // One pAUC per section, repeated in both domains.
    EXPECT_TRUE(section.pauc.defined());
    EXPECT_EQ(metric(section, Domain::source, pauc).value, section.pauc.value);
    EXPECT_EQ(metric(section, Domain::target, pauc).value, section.pauc.value);
    // Official score: harmonic mean of AUC (source), AUC (target) and pAUC, the zero
    // floored at DBL_EPSILON.
    const double expected = 3.0 / (1.0 / 0.75 + 1.0 / DBL_EPSILON + 1.0 / *section.pauc.value);
    EXPECT_DOUBLE_EQ(*result.official_score.value, expected);
    EXPECT_FALSE(result.official_score_ci95.defined());
    EXPECT_EQ(section.domains[0].normals, 2u);
    EXPECT_EQ(section.domains[1].anomalies, 1u);
}

TEST(EvaluateDcase, OneClassDomainIsUndefinedNotHalf) {
    std::vector<Clip> clips = two_domain_section();
    clips.push_back(clip("pump", "00", Domain::source, 0, 1.0, 0));
    clips.push_back(clip("pump", "00", Domain::source, 1, 2.0, 1));
    clips.push_back(clip("pump", "00", Domain::target, 0, 1.0, 0));  // target: normals only
    clips.push_back(clip("pump", "00", Domain::target, 0, 2.0, 0));
    const DcaseResult result = evaluate_dcase(clips, {}, DcaseEdition::dcase2021);
    ASSERT_EQ(result.machines.size(), 2u);
    const MachineResult& pump = result.machines[1];
    EXPECT_EQ(pump.machine, "pump");
    const Metric& target_auc = metric(pump.sections[0], Domain::target, auc);
    EXPECT_FALSE(target_auc.defined());
    EXPECT_NE(target_auc.undefined_reason.find("no anomalous clips in the target domain"),
              std::string::npos)
        << target_auc.undefined_reason;
    EXPECT_FALSE(pump.means.arithmetic[0].defined());
    EXPECT_FALSE(pump.means.target_harmonic[0].defined());
    EXPECT_TRUE(pump.means.source_harmonic[0].defined());
    // The fan machine type is unaffected, the overall means and the official score are not.
    EXPECT_TRUE(result.machines[0].means.harmonic[0].defined());
    EXPECT_FALSE(result.overall.harmonic[0].defined());
    EXPECT_FALSE(result.official_score.defined());
    EXPECT_FALSE(result.complete());
    // Precision and recall keep the evaluators' epsilon guards: all decisions 0, no
    // anomalies, so both are 0.
    EXPECT_EQ(metric(pump.sections[0], Domain::target, MetricKind::precision).value, 0.0);
}

TEST(EvaluateDcase, UnavailablePartKeepsItsReason) {
    const std::vector<Clip> clips = two_domain_section();
    const std::vector<UnavailablePart> missing = {
        {"fan", "01", std::nullopt, "anomaly score file 'x.csv' is missing", false}};
    for (const DcaseEdition edition : {DcaseEdition::dcase2021, DcaseEdition::dcase2023}) {
        const DcaseResult result = evaluate_dcase(clips, missing, edition);
        const MachineResult& fan = result.machines.at(0);
        ASSERT_EQ(fan.sections.size(), 2u);
        EXPECT_EQ(fan.sections[1].section, "01");
        const Metric& value = metric(fan.sections[1], Domain::source, auc);
        EXPECT_FALSE(value.defined());
        EXPECT_EQ(value.undefined_reason, "anomaly score file 'x.csv' is missing");
        EXPECT_TRUE(metric(fan.sections[0], Domain::source, auc).defined());
        EXPECT_FALSE(result.official_score.defined());
        EXPECT_FALSE(result.complete());
        EXPECT_EQ(result.unavailable.size(), 1u);
    }
}

TEST(EvaluateDcase, MissingDecisionsLeaveAucDefined) {
    std::vector<Clip> clips = two_domain_section();
    clips[4].decision.reset();
    const std::vector<UnavailablePart> missing = {
        {"fan", "00", Domain::source, "decision file missing", true}};
    const DcaseResult result = evaluate_dcase(clips, missing, DcaseEdition::dcase2021);
    const SectionResult& section = result.machines[0].sections[0];
    EXPECT_TRUE(metric(section, Domain::source, auc).defined());
    EXPECT_EQ(metric(section, Domain::source, MetricKind::recall).undefined_reason,
              "decision file missing");
    EXPECT_TRUE(metric(section, Domain::target, auc).defined());
    EXPECT_NE(metric(section, Domain::target, MetricKind::f1)
                  .undefined_reason.find("no decision for 1 of 2 target clips"),
              std::string::npos);
    EXPECT_TRUE(result.official_score.defined());
    EXPECT_FALSE(result.complete());
}

TEST(EvaluateDcase, RejectsInvalidClips) {
    std::vector<Clip> clips = two_domain_section();
    clips[0].label = 2;
    EXPECT_THROW(evaluate_dcase(clips, {}, DcaseEdition::dcase2021), Error);
    clips = two_domain_section();
    clips[1].score = std::nan("");
    EXPECT_THROW(evaluate_dcase(clips, {}, DcaseEdition::dcase2021), Error);
    clips = two_domain_section();
    clips[2].decision = 3;
    EXPECT_THROW(evaluate_dcase(clips, {}, DcaseEdition::dcase2021), Error);
}

TEST(EvaluateDcase, EmptyInputHasUndefinedScore) {
    const DcaseResult result = evaluate_dcase({}, {}, DcaseEdition::dcase2023);
    EXPECT_TRUE(result.machines.empty());
    EXPECT_FALSE(result.official_score.defined());
}

TEST(DecisionScores, EpsilonGuards) {
    const std::vector<std::uint8_t> labels = {1, 1, 0, 0, 0};
    const DecisionScores some = decision_scores(labels, std::vector<std::uint8_t>{1, 0, 1, 0, 0});
    EXPECT_EQ(some.true_positives, 1);
    EXPECT_EQ(some.false_positives, 1);
    EXPECT_EQ(some.false_negatives, 1);
    EXPECT_EQ(some.true_negatives, 2);
    EXPECT_EQ(some.precision, 0.5);
    EXPECT_EQ(some.recall, 0.5);
    EXPECT_EQ(some.f1, 0.5);
    // No positive decisions: precision 0, not NaN.
    const DecisionScores none = decision_scores(labels, std::vector<std::uint8_t>{0, 0, 0, 0, 0});
    EXPECT_EQ(none.precision, 0.0);
    EXPECT_EQ(none.recall, 0.0);
    EXPECT_EQ(none.f1, 0.0);
    EXPECT_THROW(decision_scores(labels, std::vector<std::uint8_t>{0, 1}), Error);
    EXPECT_THROW(decision_scores(labels, std::vector<std::uint8_t>{0, 0, 0, 0, 2}), Error);
}

TEST(Means, HarmonicFloorsAtEpsilon) {
    // scipy.stats.hmean(np.maximum([0, 0, 0.47368421052631576, 0.47368421052631576], eps))
    // with scipy 1.10.1 gives 4.440892098500624e-16 (about 2 eps).
    const std::vector<double> values = {0, 0, 0.47368421052631576, 0.47368421052631576};
    EXPECT_EQ(harmonic_mean(values, Summation::numpy_pairwise), 4.440892098500624e-16);
    // scipy.stats.hmean([0.9, 0.5, 0.7]) = 0.6608391608391608.
    EXPECT_EQ(harmonic_mean(std::vector<double>{0.9, 0.5, 0.7}, Summation::numpy_pairwise),
              0.6608391608391608);
    EXPECT_EQ(arithmetic_mean(std::vector<double>{0.0, 0.5, 1.0}, Summation::left_to_right), 0.5);
}

TEST(Means, UndefinedValuePropagates) {
    const std::vector<Metric> values = {Metric::of(0.5), Metric::undefined("one class"),
                                        Metric::of(0.7)};
    const Metric mean = harmonic_mean(values, Summation::numpy_pairwise);
    EXPECT_FALSE(mean.defined());
    EXPECT_EQ(mean.undefined_reason, "1 of 3 values are undefined");
    EXPECT_FALSE(arithmetic_mean(std::vector<Metric>{}, Summation::numpy_pairwise).defined());
}

TEST(DcaseEdition, ParsesYears) {
    EXPECT_EQ(parse_dcase_edition("2021"), DcaseEdition::dcase2021);
    for (const char* year : {"2022", "2023", "2024", "2025"}) {
        EXPECT_EQ(parse_dcase_edition(year), DcaseEdition::dcase2023) << year;
    }
    EXPECT_THROW(parse_dcase_edition("2020"), Error);
    EXPECT_THROW(parse_dcase_edition("latest"), Error);
}

}  // namespace
}  // namespace uadscope::analysis
