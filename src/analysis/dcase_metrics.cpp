#include "analysis/dcase_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/numpy_sum.h"
#include "core/error.h"

namespace uadscope::analysis {
namespace {

double sum_by(std::span<const double> values, Summation summation) {
    return summation == Summation::numpy_pairwise ? numpy_sum(values) : sequential_sum(values);
}

// Reason why a mean over `values` is undefined, or nothing when every value is defined.
std::optional<std::string> undefined_mean_reason(std::span<const Metric> values) {
    if (values.empty()) {
        return std::string("no values to average");
    }
    std::size_t undefined = 0;
    for (const Metric& value : values) {
        undefined += value.defined() ? 0 : 1;
    }
    if (undefined == 0) {
        return std::nullopt;
    }
    return fmt::format("{} of {} values are undefined", undefined, values.size());
}

std::vector<double> defined_values(std::span<const Metric> values) {
    std::vector<double> result;
    result.reserve(values.size());
    for (const Metric& value : values) {
        result.push_back(*value.value);
    }
    return result;
}

void validate_clips(std::span<const Clip> clips) {
    for (std::size_t i = 0; i < clips.size(); ++i) {
        const Clip& clip = clips[i];
        const std::string where = fmt::format("clip {} ({} section {} {})", i, clip.machine,
                                              clip.section, domain_name(clip.domain));
        if (clip.label > 1) {
            throw Error(fmt::format("{}: label {} is invalid; use 0 (normal) or 1 (anomaly)", where,
                                    static_cast<int>(clip.label)));
        }
        if (clip.decision && *clip.decision > 1) {
            throw Error(fmt::format("{}: decision {} is invalid; use 0 (normal) or 1 (anomaly)",
                                    where, static_cast<int>(*clip.decision)));
        }
        if (!std::isfinite(clip.score)) {
            throw Error(fmt::format("{}: score {} is not finite; replace NaN and infinite scores",
                                    where, clip.score));
        }
        if (clip.machine.empty() || clip.section.empty()) {
            throw Error(
                fmt::format("{}: the machine type and the section must not be empty", where));
        }
    }
}

// Scores and labels of a set of clips, in the order given.
struct ClipSet {
    std::vector<double> scores;
    std::vector<std::uint8_t> labels;
    std::size_t normals = 0;
    std::size_t anomalies = 0;

    void add(const Clip& clip) {
        scores.push_back(clip.score);
        labels.push_back(clip.label);
        (clip.label == 1 ? anomalies : normals) += 1;
    }
};

// AUC and pAUC of a clip set, or the reason they are undefined. `location` places the set
// in the reason, e.g. "in the source domain".
std::pair<Metric, Metric> roc_metrics(const ClipSet& set, std::string_view location,
                                      double max_fpr) {
    std::string reason;
    if (set.scores.empty()) {
        reason = fmt::format("no clips {}", location);
    } else if (set.anomalies == 0) {
        reason = fmt::format("only one class: no anomalous clips {}", location);
    } else if (set.normals == 0) {
        reason = fmt::format("only one class: no normal clips {}", location);
    }
    if (!reason.empty()) {
        return {Metric::undefined(reason), Metric::undefined(reason)};
    }
    const RocAreas areas = roc_areas(score_runs(set.scores, set.labels), max_fpr);
    return {Metric::of(areas.auc), Metric::of(areas.pauc)};
}

// Precision, recall and F1 of one domain's clips.
void fill_decision_metrics(std::span<const Clip* const> clips, std::string_view set_name,
                           MetricRow& row) {
    std::string reason;
    std::vector<std::uint8_t> labels;
    std::vector<std::uint8_t> decisions;
    std::size_t missing = 0;
    for (const Clip* clip : clips) {
        if (!clip->decision) {
            ++missing;
            continue;
        }
        labels.push_back(clip->label);
        decisions.push_back(*clip->decision);
    }
    if (clips.empty()) {
        reason = fmt::format("no {} clips", set_name);
    } else if (missing > 0) {
        reason = fmt::format("no decision for {} of {} {} clips", missing, clips.size(), set_name);
    }
    auto& precision = row[static_cast<std::size_t>(MetricKind::precision)];
    auto& recall = row[static_cast<std::size_t>(MetricKind::recall)];
    auto& f1 = row[static_cast<std::size_t>(MetricKind::f1)];
    if (!reason.empty()) {
        precision = recall = f1 = Metric::undefined(reason);
        return;
    }
    const DecisionScores scores = decision_scores(labels, decisions);
    precision = Metric::of(scores.precision);
    recall = Metric::of(scores.recall);
    f1 = Metric::of(scores.f1);
}

Metric mean_normal_score(std::span<const Clip* const> clips, std::string_view set_name) {
    std::vector<double> scores;
    for (const Clip* clip : clips) {
        if (clip->label == 0) {
            scores.push_back(clip->score);
        }
    }
    if (scores.empty()) {
        return Metric::undefined(fmt::format("no normal {} clips", set_name));
    }
    return Metric::of(numpy_sum(scores) / static_cast<double>(scores.size()));
}

// The clips and unavailable parts of one (machine, section).
struct SectionInput {
    std::vector<const Clip*> clips;
    std::vector<const UnavailablePart*> unavailable;
};

using MachineInputs = std::map<std::string, std::map<std::string, SectionInput>>;

enum class PartScope { clips, decisions };

// Reason why the clips (or the decisions) of a domain of a section are unavailable; with
// domain empty, of any domain. Unavailable clips imply unavailable decisions.
std::optional<std::string> unavailable_reason(const SectionInput& input,
                                              std::optional<Domain> domain, PartScope scope) {
    for (const UnavailablePart* part : input.unavailable) {
        if (part->decisions_only && scope == PartScope::clips) {
            continue;
        }
        if (!domain || !part->domain || *part->domain == *domain) {
            return part->reason;
        }
    }
    return std::nullopt;
}

void set_decision_metrics(MetricRow& row, const std::string& reason) {
    for (const MetricKind kind : {MetricKind::precision, MetricKind::recall, MetricKind::f1}) {
        row[static_cast<std::size_t>(kind)] = Metric::undefined(reason);
    }
}

void set_all(MetricRow& row, const std::string& reason) {
    for (Metric& metric : row) {
        metric = Metric::undefined(reason);
    }
}

std::vector<const Clip*> clips_of_domain(const SectionInput& input, Domain domain) {
    std::vector<const Clip*> result;
    for (const Clip* clip : input.clips) {
        if (clip->domain == domain) {
            result.push_back(clip);
        }
    }
    return result;
}

void count_clips(std::span<const Clip* const> clips, std::size_t& normals, std::size_t& anomalies) {
    for (const Clip* clip : clips) {
        (clip->label == 1 ? anomalies : normals) += 1;
    }
}

// DCASE 2021: every (section, domain) is scored on its own clips.
SectionResult score_section_2021(const std::string& section, const SectionInput& input,
                                 double max_fpr) {
    SectionResult result;
    result.section = section;
    count_clips(input.clips, result.normals, result.anomalies);
    result.auc_all = Metric::undefined("not part of the DCASE 2021 definition");
    result.pauc = Metric::undefined("not part of the DCASE 2021 definition");
    for (const Domain domain : domains) {
        DomainResult& out = result.domains[static_cast<std::size_t>(domain)];
        out.domain = domain;
        const std::vector<const Clip*> clips = clips_of_domain(input, domain);
        count_clips(clips, out.normals, out.anomalies);
        if (const auto reason = unavailable_reason(input, domain, PartScope::clips)) {
            set_all(out.metrics, *reason);
            out.mean_normal_score = Metric::undefined(*reason);
            continue;
        }
        ClipSet set;
        for (const Clip* clip : clips) {
            set.add(*clip);
        }
        const std::string_view set_name = domain_name(domain);
        std::tie(out.metrics[static_cast<std::size_t>(MetricKind::auc)],
                 out.metrics[static_cast<std::size_t>(MetricKind::pauc)]) =
            roc_metrics(set, fmt::format("in the {} domain", set_name), max_fpr);
        fill_decision_metrics(clips, set_name, out.metrics);
        if (const auto reason = unavailable_reason(input, domain, PartScope::decisions)) {
            set_decision_metrics(out.metrics, *reason);
        }
        out.mean_normal_score = mean_normal_score(clips, set_name);
    }
    return result;
}

// DCASE 2022 to 2025: AUC of a domain from its normal clips and every anomalous clip of
// the section; one pAUC per section.
SectionResult score_section_2023(const std::string& section, const SectionInput& input,
                                 double max_fpr) {
    SectionResult result;
    result.section = section;
    count_clips(input.clips, result.normals, result.anomalies);
    for (const Domain domain : domains) {
        DomainResult& out = result.domains[static_cast<std::size_t>(domain)];
        out.domain = domain;
        count_clips(clips_of_domain(input, domain), out.normals, out.anomalies);
    }
    // Both domains share the section's anomalies and pAUC, so a missing part of the
    // section leaves every value of it undefined.
    if (const auto reason = unavailable_reason(input, std::nullopt, PartScope::clips)) {
        result.auc_all = result.pauc = Metric::undefined(*reason);
        for (DomainResult& out : result.domains) {
            set_all(out.metrics, *reason);
            out.mean_normal_score = Metric::undefined(*reason);
        }
        return result;
    }

    ClipSet all;
    for (const Clip* clip : input.clips) {
        all.add(*clip);
    }
    std::tie(result.auc_all, result.pauc) = roc_metrics(all, "in the section", max_fpr);

    for (const Domain domain : domains) {
        DomainResult& out = result.domains[static_cast<std::size_t>(domain)];
        const std::string_view set_name = domain_name(domain);
        ClipSet auc_set;
        for (const Clip* clip : input.clips) {
            if (clip->domain == domain || clip->label == 1) {
                auc_set.add(*clip);
            }
        }
        // The set misses a class when the section has no anomalies or the domain no normals.
        const std::string location = result.anomalies == 0
                                         ? std::string("in the section")
                                         : fmt::format("in the {} domain", set_name);
        out.metrics[static_cast<std::size_t>(MetricKind::auc)] =
            roc_metrics(auc_set, location, max_fpr).first;
        out.metrics[static_cast<std::size_t>(MetricKind::pauc)] = result.pauc;
        const std::vector<const Clip*> clips = clips_of_domain(input, domain);
        fill_decision_metrics(clips, set_name, out.metrics);
        if (const auto reason = unavailable_reason(input, domain, PartScope::decisions)) {
            set_decision_metrics(out.metrics, *reason);
        }
        out.mean_normal_score = mean_normal_score(clips, set_name);
    }
    return result;
}

// Column `kind` of the entry rows.
std::vector<Metric> column(std::span<const MetricRow* const> rows, MetricKind kind) {
    std::vector<Metric> values;
    values.reserve(rows.size());
    for (const MetricRow* row : rows) {
        values.push_back((*row)[static_cast<std::size_t>(kind)]);
    }
    return values;
}

MetricRow row_means(std::span<const MetricRow* const> rows, bool harmonic, Summation summation) {
    MetricRow means;
    for (std::size_t k = 0; k < metric_kind_count; ++k) {
        const std::vector<Metric> values = column(rows, static_cast<MetricKind>(k));
        means[k] = harmonic ? harmonic_mean(values, summation) : arithmetic_mean(values, summation);
    }
    return means;
}

// The four mean lines over entries listed as all source entries, then all target entries.
MeanLines mean_lines(std::span<const MetricRow* const> all_rows,
                     std::span<const MetricRow* const> source_rows,
                     std::span<const MetricRow* const> target_rows, Summation summation) {
    MeanLines lines;
    lines.arithmetic = row_means(all_rows, false, summation);
    lines.harmonic = row_means(all_rows, true, summation);
    lines.source_harmonic = row_means(source_rows, true, summation);
    lines.target_harmonic = row_means(target_rows, true, summation);
    return lines;
}

const MetricRow* domain_row(const SectionResult& section, Domain domain) {
    return &section.domains[static_cast<std::size_t>(domain)].metrics;
}

bool row_complete(const MetricRow& row) {
    return std::all_of(row.begin(), row.end(), [](const Metric& m) { return m.defined(); });
}

bool lines_complete(const MeanLines& lines) {
    return row_complete(lines.arithmetic) && row_complete(lines.harmonic) &&
           row_complete(lines.source_harmonic) && row_complete(lines.target_harmonic);
}

MachineInputs group_inputs(std::span<const Clip> clips,
                           std::span<const UnavailablePart> unavailable) {
    MachineInputs inputs;
    for (const Clip& clip : clips) {
        inputs[clip.machine][clip.section].clips.push_back(&clip);
    }
    for (const UnavailablePart& part : unavailable) {
        inputs[part.machine][part.section].unavailable.push_back(&part);
    }
    return inputs;
}

void add_jackknife(const MachineInputs& inputs, const DcaseOptions& options, DcaseResult& result) {
    if (!options.jackknife) {
        result.official_score_ci95 = Metric::undefined("the jackknife was not run");
        return;
    }
    const bool clips_missing =
        std::any_of(result.unavailable.begin(), result.unavailable.end(),
                    [](const UnavailablePart& part) { return !part.decisions_only; });
    if (clips_missing) {
        result.official_score_ci95 =
            Metric::undefined("some parts of the test set are unavailable");
        return;
    }
    // Pool every clip in the evaluator's order: machine, then section, then input order.
    ClipSet pool;
    for (const auto& [machine, sections] : inputs) {
        for (const auto& [section, input] : sections) {
            for (const Clip* clip : input.clips) {
                pool.add(*clip);
            }
        }
    }
    result.jackknife = jackknife_roc(pool.scores, pool.labels, options.max_fpr, options.jobs);
    if (!result.jackknife) {
        result.official_score_ci95 =
            Metric::undefined("the jackknife needs at least two normal and two anomalous clips");
        return;
    }
    const std::array<double, 2> ci95 = {result.jackknife->auc.ci95, result.jackknife->pauc.ci95};
    result.official_score_ci95 = Metric::of(numpy_sum(ci95) / 2.0);
}

}  // namespace

DcaseEdition parse_dcase_edition(std::string_view text) {
    if (text == "2021") {
        return DcaseEdition::dcase2021;
    }
    if (text == "2022" || text == "2023" || text == "2024" || text == "2025") {
        return DcaseEdition::dcase2023;
    }
    throw Error(
        fmt::format("DCASE edition '{}' is invalid; use 2021, or 2022 to 2025 for the "
                    "definition of the 2022 to 2025 evaluators",
                    text));
}

std::string_view dcase_edition_name(DcaseEdition edition) {
    return edition == DcaseEdition::dcase2021 ? "2021" : "2023";
}

std::string_view domain_name(Domain domain) {
    return domain == Domain::source ? "source" : "target";
}

std::string_view metric_kind_name(MetricKind kind) {
    switch (kind) {
        case MetricKind::auc:
            return "AUC";
        case MetricKind::pauc:
            return "pAUC";
        case MetricKind::precision:
            return "precision";
        case MetricKind::recall:
            return "recall";
        case MetricKind::f1:
            return "F1 score";
    }
    UADSCOPE_ASSERT(false);
    return {};
}

DecisionScores decision_scores(std::span<const std::uint8_t> labels,
                               std::span<const std::uint8_t> decisions) {
    if (labels.size() != decisions.size()) {
        throw Error(
            fmt::format("decision scores: {} labels but {} decisions; pass one decision "
                        "per label",
                        labels.size(), decisions.size()));
    }
    DecisionScores scores;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] > 1 || decisions[i] > 1) {
            throw Error(
                fmt::format("decision scores: clip {} has label {} and decision {}; both "
                            "must be 0 (normal) or 1 (anomaly)",
                            i, static_cast<int>(labels[i]), static_cast<int>(decisions[i])));
        }
        if (labels[i] == 1) {
            (decisions[i] == 1 ? scores.true_positives : scores.false_negatives) += 1;
        } else {
            (decisions[i] == 1 ? scores.false_positives : scores.true_negatives) += 1;
        }
    }
    const auto tp = static_cast<double>(scores.true_positives);
    scores.precision =
        tp /
        std::max(static_cast<double>(scores.true_positives + scores.false_positives), dbl_epsilon);
    scores.recall =
        tp /
        std::max(static_cast<double>(scores.true_positives + scores.false_negatives), dbl_epsilon);
    scores.f1 = 2.0 * scores.precision * scores.recall /
                std::max(scores.precision + scores.recall, dbl_epsilon);
    return scores;
}

double arithmetic_mean(std::span<const double> values, Summation summation) {
    UADSCOPE_ASSERT(!values.empty());
    return sum_by(values, summation) / static_cast<double>(values.size());
}

double harmonic_mean(std::span<const double> values, Summation summation) {
    UADSCOPE_ASSERT(!values.empty());
    std::vector<double> reciprocals(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        reciprocals[i] = 1.0 / std::max(values[i], dbl_epsilon);
    }
    return 1.0 / (sum_by(reciprocals, summation) / static_cast<double>(values.size()));
}

Metric arithmetic_mean(std::span<const Metric> values, Summation summation) {
    if (const auto reason = undefined_mean_reason(values)) {
        return Metric::undefined(*reason);
    }
    return Metric::of(arithmetic_mean(defined_values(values), summation));
}

Metric harmonic_mean(std::span<const Metric> values, Summation summation) {
    if (const auto reason = undefined_mean_reason(values)) {
        return Metric::undefined(*reason);
    }
    return Metric::of(harmonic_mean(defined_values(values), summation));
}

bool DcaseResult::complete() const {
    if (!unavailable.empty() || !official_score.defined() || !lines_complete(overall)) {
        return false;
    }
    if (jackknife_requested && !official_score_ci95.defined()) {
        return false;
    }
    for (const MachineResult& machine : machines) {
        if (!lines_complete(machine.means)) {
            return false;
        }
        for (const SectionResult& section : machine.sections) {
            for (const DomainResult& domain : section.domains) {
                if (!row_complete(domain.metrics)) {
                    return false;
                }
            }
        }
    }
    return true;
}

DcaseResult evaluate_dcase(std::span<const Clip> clips,
                           std::span<const UnavailablePart> unavailable, DcaseEdition edition,
                           const DcaseOptions& options) {
    validate_clips(clips);
    if (!(options.max_fpr > 0.0 && options.max_fpr <= 1.0)) {
        throw Error(fmt::format("DCASE metrics: max_fpr {} is outside (0, 1]", options.max_fpr));
    }
    const bool is_2021 = edition == DcaseEdition::dcase2021;
    // The 2021 evaluator averages down the columns of a row list (left to right); the 2023
    // evaluator along contiguous rows (numpy's pairwise order).
    const Summation summation = is_2021 ? Summation::left_to_right : Summation::numpy_pairwise;
    const MachineInputs inputs = group_inputs(clips, unavailable);

    DcaseResult result;
    result.edition = edition;
    result.unavailable.assign(unavailable.begin(), unavailable.end());
    result.machines.reserve(inputs.size());
    for (const auto& [machine_name, sections] : inputs) {
        MachineResult& machine = result.machines.emplace_back();
        machine.machine = machine_name;
        for (const auto& [section_name, input] : sections) {
            machine.sections.push_back(
                is_2021 ? score_section_2021(section_name, input, options.max_fpr)
                        : score_section_2023(section_name, input, options.max_fpr));
        }
    }

    // Entry rows: per machine [source s1..sS, target s1..sS].
    std::vector<const MetricRow*> overall_rows;    // 2021 row order: machine, domain, section
    std::vector<const MetricRow*> overall_source;  // machine, section
    std::vector<const MetricRow*> overall_target;
    for (MachineResult& machine : result.machines) {
        std::vector<const MetricRow*> source_rows;
        std::vector<const MetricRow*> target_rows;
        for (const SectionResult& section : machine.sections) {
            source_rows.push_back(domain_row(section, Domain::source));
            target_rows.push_back(domain_row(section, Domain::target));
        }
        std::vector<const MetricRow*> rows = source_rows;
        rows.insert(rows.end(), target_rows.begin(), target_rows.end());
        machine.means = mean_lines(rows, source_rows, target_rows, summation);
        overall_rows.insert(overall_rows.end(), rows.begin(), rows.end());
        overall_source.insert(overall_source.end(), source_rows.begin(), source_rows.end());
        overall_target.insert(overall_target.end(), target_rows.begin(), target_rows.end());

        for (const Domain domain : domains) {
            const std::vector<Metric> aucs =
                column(domain == Domain::source ? source_rows : target_rows, MetricKind::auc);
            machine.auc_section_mean[static_cast<std::size_t>(domain)] =
                arithmetic_mean(aucs, Summation::numpy_pairwise);
        }
        machine.pauc_section_mean =
            arithmetic_mean(column(source_rows, MetricKind::pauc), Summation::numpy_pairwise);
    }

    std::vector<Metric> official_values;
    if (is_2021) {
        // 2021: the overall rows in loop order; the official score over [AUC_1, pAUC_1,
        // AUC_2, pAUC_2, ...] of those rows.
        result.overall = mean_lines(overall_rows, overall_source, overall_target, summation);
        for (const MetricRow* row : overall_rows) {
            official_values.push_back((*row)[static_cast<std::size_t>(MetricKind::auc)]);
            official_values.push_back((*row)[static_cast<std::size_t>(MetricKind::pauc)]);
        }
    } else {
        // 2023: a matrix whose columns are every source entry, then every target entry;
        // the official score over [AUC (source)...] ++ [AUC (target)...] ++ [pAUC...].
        std::vector<const MetricRow*> columns = overall_source;
        columns.insert(columns.end(), overall_target.begin(), overall_target.end());
        result.overall = mean_lines(columns, overall_source, overall_target, summation);
        const std::vector<Metric> auc_source = column(overall_source, MetricKind::auc);
        const std::vector<Metric> auc_target = column(overall_target, MetricKind::auc);
        const std::vector<Metric> pauc = column(overall_source, MetricKind::pauc);
        official_values = auc_source;
        official_values.insert(official_values.end(), auc_target.begin(), auc_target.end());
        official_values.insert(official_values.end(), pauc.begin(), pauc.end());
        result.auc_source_mean = arithmetic_mean(auc_source, Summation::numpy_pairwise);
        result.auc_target_mean = arithmetic_mean(auc_target, Summation::numpy_pairwise);
        result.official_arithmetic_mean =
            arithmetic_mean(official_values, Summation::numpy_pairwise);
    }
    result.official_score = harmonic_mean(official_values, Summation::numpy_pairwise);

    if (is_2021) {
        const std::string reason = "computed for the DCASE 2023 definition only";
        result.auc_source_mean = result.auc_target_mean = result.official_arithmetic_mean =
            Metric::undefined(reason);
        result.official_score_ci95 = Metric::undefined(reason);
    } else {
        result.jackknife_requested = options.jackknife;
        add_jackknife(inputs, options, result);
    }
    return result;
}

}  // namespace uadscope::analysis
