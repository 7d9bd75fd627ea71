#include "analysis/evaluator_table.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/error.h"

namespace uadscope::analysis {
namespace {

constexpr std::string_view overall_suffix = " over all machine types, sections, and domains";

// One CSV field quoted as Python's csv module does with QUOTE_MINIMAL.
std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string(text);
    }
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    return quoted + '"';
}

void append_line(std::string& out, const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += csv_field(fields[i]);
    }
    out += '\n';
}

std::string cell(const Metric& metric) {
    return metric.value ? python_float_repr(*metric.value) : std::string();
}

const Metric& metric(const DomainResult& domain, MetricKind kind) {
    return domain.metrics[static_cast<std::size_t>(kind)];
}

void append_mean_line(std::string& out, std::string label, const MetricRow& row) {
    std::vector<std::string> fields = {std::move(label), ""};
    for (const Metric& value : row) {
        fields.push_back(cell(value));
    }
    append_line(out, fields);
}

std::vector<std::string> metric_header() {
    std::vector<std::string> header = {"", ""};
    for (std::size_t k = 0; k < metric_kind_count; ++k) {
        header.emplace_back(metric_kind_name(static_cast<MetricKind>(k)));
    }
    return header;
}

void append_machine_means(std::string& out, const MeanLines& means) {
    append_mean_line(out, "arithmetic mean", means.arithmetic);
    append_mean_line(out, "harmonic mean", means.harmonic);
    append_mean_line(out, "source harmonic mean", means.source_harmonic);
    append_mean_line(out, "target harmonic mean", means.target_harmonic);
    out += '\n';
}

void append_overall(std::string& out, const DcaseResult& result) {
    append_line(out, metric_header());
    const std::string suffix(overall_suffix);
    append_mean_line(out, "arithmetic mean" + suffix, result.overall.arithmetic);
    append_mean_line(out, "harmonic mean" + suffix, result.overall.harmonic);
    append_mean_line(out, "source harmonic mean" + suffix, result.overall.source_harmonic);
    append_mean_line(out, "target harmonic mean" + suffix, result.overall.target_harmonic);
    out += '\n';
    append_line(out, {"official score", "", cell(result.official_score)});
    if (result.edition == DcaseEdition::dcase2023) {
        append_line(out, {"official score ci95", "", cell(result.official_score_ci95)});
    }
    out += '\n';
}

void append_machine_2021(std::string& out, const MachineResult& machine) {
    append_line(out, {machine.machine});
    std::vector<std::string> header = {"section", "domain"};
    for (std::size_t k = 0; k < metric_kind_count; ++k) {
        header.emplace_back(metric_kind_name(static_cast<MetricKind>(k)));
    }
    append_line(out, header);
    for (const Domain domain : domains) {
        for (const SectionResult& section : machine.sections) {
            const DomainResult& row = section.domains[static_cast<std::size_t>(domain)];
            std::vector<std::string> fields = {section.section, std::string(domain_name(domain))};
            for (const Metric& value : row.metrics) {
                fields.push_back(cell(value));
            }
            append_line(out, fields);
        }
    }
    append_machine_means(out, machine.means);
}

void append_machine_2023(std::string& out, const MachineResult& machine) {
    append_line(out, {machine.machine});
    append_line(out, {"section", "AUC (all)", "AUC (source)", "AUC (target)", "pAUC",
                      "precision (source)", "precision (target)", "recall (source)",
                      "recall (target)", "F1 score (source)", "F1 score (target)"});
    for (const SectionResult& section : machine.sections) {
        const DomainResult& source = section.domains[0];
        const DomainResult& target = section.domains[1];
        append_line(
            out,
            {section.section, cell(section.auc_all), cell(metric(source, MetricKind::auc)),
             cell(metric(target, MetricKind::auc)), cell(section.pauc),
             cell(metric(source, MetricKind::precision)),
             cell(metric(target, MetricKind::precision)), cell(metric(source, MetricKind::recall)),
             cell(metric(target, MetricKind::recall)), cell(metric(source, MetricKind::f1)),
             cell(metric(target, MetricKind::f1))});
    }
    append_line(out, metric_header());
    append_machine_means(out, machine.means);
}

nlohmann::ordered_json metric_json(const Metric& metric) {
    return metric.value ? nlohmann::ordered_json(*metric.value) : nlohmann::ordered_json(nullptr);
}

// Adds `metric` under `key`, and its reason under "undefined"[key] when it is undefined.
void put(nlohmann::ordered_json& object, const std::string& key, const Metric& metric) {
    object[key] = metric_json(metric);
    if (!metric.defined()) {
        object["undefined"][key] = metric.undefined_reason;
    }
}

nlohmann::ordered_json row_json(const MetricRow& row) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < metric_kind_count; ++k) {
        put(object, std::string(metric_kind_name(static_cast<MetricKind>(k))), row[k]);
    }
    return object;
}

nlohmann::ordered_json means_json(const MeanLines& means) {
    return {{"arithmetic mean", row_json(means.arithmetic)},
            {"harmonic mean", row_json(means.harmonic)},
            {"source harmonic mean", row_json(means.source_harmonic)},
            {"target harmonic mean", row_json(means.target_harmonic)}};
}

nlohmann::ordered_json section_json(const SectionResult& section, DcaseEdition edition) {
    nlohmann::ordered_json object = {{"section", section.section},
                                     {"normal clips", section.normals},
                                     {"anomalous clips", section.anomalies}};
    if (edition == DcaseEdition::dcase2023) {
        put(object, "AUC (all)", section.auc_all);
        put(object, "pAUC", section.pauc);
    }
    for (const DomainResult& domain : section.domains) {
        nlohmann::ordered_json entry = row_json(domain.metrics);
        entry["normal clips"] = domain.normals;
        entry["anomalous clips"] = domain.anomalies;
        put(entry, "mean normal score", domain.mean_normal_score);
        object[std::string(domain_name(domain.domain))] = std::move(entry);
    }
    return object;
}

nlohmann::ordered_json jackknife_json(const JackknifeEstimate& estimate) {
    return {{"value", estimate.value}, {"estimate", estimate.estimate}, {"ci95", estimate.ci95}};
}

}  // namespace

std::string python_float_repr(double value) {
    if (std::isnan(value)) {
        return "nan";
    }
    if (std::isinf(value)) {
        return value > 0 ? "inf" : "-inf";
    }
    char buffer[64];
    const auto [end, error] =
        std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
    UADSCOPE_ASSERT(error == std::errc());
    const std::string_view text(buffer, static_cast<std::size_t>(end - buffer));

    // Shortest round-trip digits d1 d2 ... dn and exponent e, value = d1.d2...dn x 10^e.
    const bool negative = text.front() == '-';
    const std::size_t e_position = text.find('e');
    std::string digits;
    for (const char c : text.substr(negative ? 1 : 0, e_position - (negative ? 1 : 0))) {
        if (c != '.') {
            digits += c;
        }
    }
    const int exponent = std::atoi(std::string(text.substr(e_position + 1)).c_str());

    std::string out = negative ? "-" : "";
    // Python's float_repr_style 'short' uses positional notation for -4 <= e < 16.
    if (exponent >= -4 && exponent < 16) {
        if (exponent >= 0) {
            const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
            if (digits.size() <= integer_digits) {
                out.append(digits);
                out.append(integer_digits - digits.size(), '0');
                out.append(".0");
            } else {
                out.append(digits, 0, integer_digits);
                out.push_back('.');
                out.append(digits, integer_digits);
            }
        } else {
            out.append("0.");
            out.append(static_cast<std::size_t>(-exponent - 1), '0');
            out.append(digits);
        }
        return out;
    }
    out.push_back(digits.front());
    if (digits.size() > 1) {
        out.push_back('.');
        out.append(digits, 1);
    }
    out.append(fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent)));
    return out;
}

std::string result_table_file_name(std::string_view system) {
    return fmt::format("{}_result.csv", system);
}

std::string format_result_table(const DcaseResult& result) {
    std::string out;
    for (const MachineResult& machine : result.machines) {
        if (result.edition == DcaseEdition::dcase2021) {
            append_machine_2021(out, machine);
        } else {
            append_machine_2023(out, machine);
        }
    }
    append_overall(out, result);
    return out;
}

nlohmann::ordered_json result_to_json(const DcaseResult& result) {
    nlohmann::ordered_json json = {{"edition", std::string(dcase_edition_name(result.edition))},
                                   {"complete", result.complete()}};
    nlohmann::ordered_json machines = nlohmann::ordered_json::array();
    for (const MachineResult& machine : result.machines) {
        nlohmann::ordered_json entry = {{"machine", machine.machine}};
        nlohmann::ordered_json sections = nlohmann::ordered_json::array();
        for (const SectionResult& section : machine.sections) {
            sections.push_back(section_json(section, result.edition));
        }
        entry["sections"] = std::move(sections);
        entry["means"] = means_json(machine.means);
        put(entry, "AUC (source) mean over sections", machine.auc_section_mean[0]);
        put(entry, "AUC (target) mean over sections", machine.auc_section_mean[1]);
        put(entry, "pAUC mean over sections", machine.pauc_section_mean);
        machines.push_back(std::move(entry));
    }
    json["machines"] = std::move(machines);
    json["overall"] = means_json(result.overall);
    put(json, "official score", result.official_score);
    if (result.edition == DcaseEdition::dcase2023) {
        put(json, "official score ci95", result.official_score_ci95);
        put(json, "AUC (source) arithmetic mean", result.auc_source_mean);
        put(json, "AUC (target) arithmetic mean", result.auc_target_mean);
        put(json, "official score arithmetic mean", result.official_arithmetic_mean);
        if (result.jackknife) {
            json["jackknife"] = {{"clips", result.jackknife->clips},
                                 {"AUC", jackknife_json(result.jackknife->auc)},
                                 {"pAUC", jackknife_json(result.jackknife->pauc)}};
        }
    }
    nlohmann::ordered_json unavailable = nlohmann::ordered_json::array();
    for (const UnavailablePart& part : result.unavailable) {
        nlohmann::ordered_json entry = {{"machine", part.machine},
                                        {"section", part.section},
                                        {"reason", part.reason},
                                        {"decisions only", part.decisions_only}};
        entry["domain"] = part.domain
                              ? nlohmann::ordered_json(std::string(domain_name(*part.domain)))
                              : nlohmann::ordered_json(nullptr);
        unavailable.push_back(std::move(entry));
    }
    json["unavailable"] = std::move(unavailable);
    return json;
}

}  // namespace uadscope::analysis
