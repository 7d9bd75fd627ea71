#pragma once

// DCASE Task 2 metrics as the official evaluators define them: per section and domain
// AUC, pAUC, precision, recall and F1, their arithmetic and harmonic means per machine
// type and over everything, and the official score. Two definitions exist:
//
// - DCASE 2021: each (section, domain) is scored on its own clips.
// - DCASE 2022 to 2025 (called 2023 here, after the evaluator that fixed it): the AUC of a
//   domain uses that domain's normal clips plus every anomalous clip of the section. The
//   pAUC is one value per section over both domains. Precision, recall and F1 use the
//   domain's clips. The official score also gets a jackknife 95% interval.
//
// Every number follows the evaluators' floating-point order (see numpy_sum.h), so results
// equal theirs bit for bit. A value that cannot be computed (one class only, missing
// files) is undefined with a reason; any mean over an undefined value is undefined too,
// never computed with a stand-in such as 0.5.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/jackknife.h"
#include "analysis/roc.h"

namespace uadscope::analysis {

enum class DcaseEdition {
    dcase2021,
    // The definition of the 2022 to 2025 evaluators.
    dcase2023,
};

// Parses "2021" or "2022" to "2025" (all four give dcase2023); throws Error otherwise.
DcaseEdition parse_dcase_edition(std::string_view text);
std::string_view dcase_edition_name(DcaseEdition edition);

enum class Domain : std::uint8_t { source = 0, target = 1 };
inline constexpr std::array<Domain, 2> domains = {Domain::source, Domain::target};
std::string_view domain_name(Domain domain);

// One scored test clip.
struct Clip {
    std::string machine;  // machine type, e.g. "fan"
    std::string section;  // section number as written in file names, e.g. "00"
    Domain domain = Domain::source;
    std::uint8_t label = 0;                // 0 normal, 1 anomaly
    double score = 0.0;                    // anomaly score: higher is more anomalous
    std::optional<std::uint8_t> decision;  // 0 normal, 1 anomaly; empty when not given
};

// A part of the test set without usable clips or decisions (a missing or invalid file).
struct UnavailablePart {
    std::string machine;
    std::string section;
    std::optional<Domain> domain;  // empty: the whole section
    std::string reason;
    // True when only the decisions are unavailable: precision, recall and F1 become
    // undefined, the score metrics are still computed.
    bool decisions_only = false;
};

// A metric value, or the reason why it is undefined.
struct Metric {
    std::optional<double> value;
    std::string undefined_reason;

    static Metric of(double value) { return {value, {}}; }
    static Metric undefined(std::string reason) { return {std::nullopt, std::move(reason)}; }
    bool defined() const { return value.has_value(); }
};

// The five metric columns of every DCASE result table, in table order.
enum class MetricKind { auc = 0, pauc, precision, recall, f1 };
inline constexpr std::size_t metric_kind_count = 5;
// Column names as the evaluators write them: AUC, pAUC, precision, recall, F1 score.
std::string_view metric_kind_name(MetricKind kind);
using MetricRow = std::array<Metric, metric_kind_count>;

inline constexpr double dbl_epsilon = 2.220446049250313e-16;

// Precision, recall and F1 with the evaluators' guards: each denominator is floored at
// DBL_EPSILON, so an empty denominator gives 0, never NaN.
struct DecisionScores {
    std::int64_t true_positives = 0;
    std::int64_t false_positives = 0;
    std::int64_t false_negatives = 0;
    std::int64_t true_negatives = 0;
    double precision = 0.0;
    double recall = 0.0;
    double f1 = 0.0;
};

// `labels` and `decisions` hold 0 or 1 per clip; throws Error on other values or a length
// mismatch.
DecisionScores decision_scores(std::span<const std::uint8_t> labels,
                               std::span<const std::uint8_t> decisions);

// Summation order of a mean: numpy's pairwise order for a contiguous vector, or left to
// right for a reduction down the columns of a matrix (the 2021 evaluator's means).
enum class Summation { numpy_pairwise, left_to_right };

// Arithmetic mean sum(x) / n. Requires a non-empty span.
double arithmetic_mean(std::span<const double> values, Summation summation);
// Harmonic mean as scipy.stats.hmean of max(x, DBL_EPSILON): 1 / (sum(1 / x) / n).
// Requires a non-empty span.
double harmonic_mean(std::span<const double> values, Summation summation);

// Means over metrics that may be undefined: undefined when the list is empty or any value
// in it is undefined.
Metric arithmetic_mean(std::span<const Metric> values, Summation summation);
Metric harmonic_mean(std::span<const Metric> values, Summation summation);

struct DomainResult {
    Domain domain = Domain::source;
    std::size_t normals = 0;  // clips of this domain and section
    std::size_t anomalies = 0;
    // AUC: 2021 from this domain's clips; 2023 from this domain's normal clips and every
    // anomalous clip of the section. pAUC: 2021 from this domain's clips; 2023 the section
    // pAUC, repeated in both domains as the evaluator's tables do. precision, recall, F1:
    // this domain's clips.
    MetricRow metrics;
    // Mean anomaly score of this domain's normal clips (the 2023 evaluator's
    // per-section score table); undefined when there are none.
    Metric mean_normal_score;
};

struct SectionResult {
    std::string section;
    std::size_t normals = 0;
    std::size_t anomalies = 0;
    // 2023 only (undefined in 2021): AUC and pAUC over all clips of the section.
    Metric auc_all;
    Metric pauc;
    std::array<DomainResult, 2> domains;  // source, target
};

// The four mean lines of a result table, each over the five metric columns.
struct MeanLines {
    MetricRow arithmetic;
    MetricRow harmonic;
    MetricRow source_harmonic;
    MetricRow target_harmonic;
};

struct MachineResult {
    std::string machine;
    std::vector<SectionResult> sections;  // in code-point order of the section names
    // Means over the 2S entries [source of each section, target of each section].
    MeanLines means;
    // Arithmetic means over sections of AUC (source), AUC (target) and the pAUC column, as
    // in the 2023 evaluator's additional tables (numpy order).
    std::array<Metric, 2> auc_section_mean;
    Metric pauc_section_mean;
};

struct DcaseResult {
    DcaseEdition edition = DcaseEdition::dcase2023;
    std::vector<MachineResult> machines;  // in code-point order of the machine names
    // Means over every (machine, section, domain) entry.
    MeanLines overall;
    // Harmonic mean of every AUC and pAUC entry: 2021 the AUC and pAUC of each (machine,
    // section, domain); 2023 AUC (source), AUC (target) of each (machine, section) and the
    // pAUC of each (machine, section).
    Metric official_score;
    // 2023: arithmetic means of the AUC (source) list, the AUC (target) list and of the
    // values behind the official score, from the evaluator's additional tables.
    Metric auc_source_mean;
    Metric auc_target_mean;
    Metric official_arithmetic_mean;
    // 2023: jackknife of AUC and pAUC over all clips pooled, and the evaluator's
    // "official score ci95" = (AUC ci95 + pAUC ci95) / 2.
    std::optional<RocJackknife> jackknife;
    Metric official_score_ci95;
    // False when DcaseOptions::jackknife turned it off; its absence is then no gap.
    bool jackknife_requested = false;
    // Every part that could not be scored, as passed in.
    std::vector<UnavailablePart> unavailable;

    // True when every value of the result is defined (the ci95 only when requested).
    bool complete() const;
};

struct DcaseOptions {
    double max_fpr = dcase_max_fpr;
    // Run the 2023 jackknife (2 n leave-one-out ROC computations for n clips).
    bool jackknife = true;
    // Threads for the jackknife; 0 uses every core.
    int jobs = 0;
};

// Scores clips with the given edition's definitions. Machines and sections are those of
// `clips` and `unavailable` together. Within a section, the clips' order sets the
// floating-point summation of the normal-score means and of the jackknife, so pass them in
// file-name order (code-point order) to match the evaluators to the last bit. Throws Error
// for invalid clips (labels or decisions other than 0 and 1, scores that are not finite).
DcaseResult evaluate_dcase(std::span<const Clip> clips,
                           std::span<const UnavailablePart> unavailable, DcaseEdition edition,
                           const DcaseOptions& options = {});

}  // namespace uadscope::analysis
