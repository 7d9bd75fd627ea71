#include "dataset/record.h"

#include <fmt/format.h>

#include "core/error.h"

namespace uadscope::dataset {

std::string_view to_string(Domain domain) {
    switch (domain) {
        case Domain::source:
            return "source";
        case Domain::target:
            return "target";
        case Domain::unknown:
            return "unknown";
    }
    UADSCOPE_ASSERT(false);
}

std::string_view to_string(Split split) {
    switch (split) {
        case Split::train:
            return "train";
        case Split::test:
            return "test";
        case Split::unknown:
            return "unknown";
    }
    UADSCOPE_ASSERT(false);
}

std::string_view to_string(Label label) {
    switch (label) {
        case Label::normal:
            return "normal";
        case Label::anomaly:
            return "anomaly";
        case Label::unknown:
            return "unknown";
    }
    UADSCOPE_ASSERT(false);
}

std::optional<Domain> parse_domain(std::string_view text) {
    for (const Domain domain : {Domain::source, Domain::target, Domain::unknown}) {
        if (text == to_string(domain)) {
            return domain;
        }
    }
    return std::nullopt;
}

std::optional<Split> parse_split(std::string_view text) {
    for (const Split split : {Split::train, Split::test, Split::unknown}) {
        if (text == to_string(split)) {
            return split;
        }
    }
    return std::nullopt;
}

std::optional<Label> parse_label(std::string_view text) {
    for (const Label label : {Label::normal, Label::anomaly, Label::unknown}) {
        if (text == to_string(label)) {
            return label;
        }
    }
    return std::nullopt;
}

std::string format_attributes(const Attributes& attributes) {
    std::string text;
    for (const auto& [key, value] : attributes) {
        if (!text.empty()) {
            text += ';';
        }
        text += key;
        text += '=';
        text += value;
    }
    return text;
}

Attributes parse_attributes(std::string_view text) {
    Attributes attributes;
    while (!text.empty()) {
        const auto end = text.find(';');
        const std::string_view pair = text.substr(0, end);
        const auto equals = pair.find('=');
        if (equals == std::string_view::npos || equals == 0) {
            throw Error(fmt::format(
                "invalid attribute '{}': expected key=value pairs joined with ';'", pair));
        }
        attributes.emplace_back(std::string(pair.substr(0, equals)),
                                std::string(pair.substr(equals + 1)));
        if (end == std::string_view::npos) {
            break;
        }
        text.remove_prefix(end + 1);
    }
    return attributes;
}

std::string FileRecord::section_text() const {
    return name.section < 0 ? std::string() : fmt::format("{:02d}", name.section);
}

}  // namespace uadscope::dataset
