#include "dataset/summary.h"

#include <array>
#include <map>
#include <tuple>

#include <fmt/format.h>

namespace uadscope::dataset {

namespace {

std::string count_line(const char* title, const std::map<std::string, std::size_t>& counts) {
    std::string line = fmt::format("  by {:<8}", std::string(title) + ":");
    bool first = true;
    for (const auto& [key, count] : counts) {
        line += fmt::format("{}{} {}", first ? " " : ", ", key.empty() ? "(none)" : key, count);
        first = false;
    }
    return line + "\n";
}

template <typename Item>
void append_listing(std::string& text, const char* title, const std::vector<Item>& items,
                    std::size_t max_listed) {
    if (items.empty()) {
        return;
    }
    text += fmt::format("{} ({}):\n", title, items.size());
    for (std::size_t i = 0; i < items.size() && i < max_listed; ++i) {
        text += fmt::format("  {}: {}\n", items[i].first, items[i].second);
    }
    if (items.size() > max_listed) {
        text += fmt::format("  ... and {} more\n", items.size() - max_listed);
    }
}

}  // namespace

std::string format_index_summary(const std::vector<FileRecord>& records,
                                 const std::vector<SkippedFile>& skipped, std::size_t max_listed) {
    std::map<std::string, std::size_t> devices, sections, domains, splits, labels;
    using GroupKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;
    std::map<GroupKey, std::array<std::size_t, 3>> groups;  // normal, anomaly, unknown
    std::vector<std::pair<std::string, std::string>> unreadable;

    for (const FileRecord& record : records) {
        const std::string section = record.section_text();
        const std::string domain(to_string(record.name.domain));
        const std::string split(to_string(record.name.split));
        const std::string device = record.external ? "(external)" : record.name.device;
        ++devices[device];
        ++sections[section];
        ++domains[domain];
        ++splits[split];
        ++labels[std::string(to_string(record.name.label))];
        auto& group = groups[{record.dataset, device, section, split, domain}];
        ++group[static_cast<std::size_t>(record.name.label)];
        if (!record.readable()) {
            unreadable.emplace_back(record.path, record.status);
        }
    }

    std::string text =
        fmt::format("indexed {} audio files, skipped {}\n", records.size(), skipped.size());
    if (!records.empty()) {
        text += count_line("device", devices);
        text += count_line("section", sections);
        text += count_line("domain", domains);
        text += count_line("split", splits);
        text += count_line("label", labels);
        text += fmt::format("  {:<16} {:<16} {:<7} {:<7} {:<7} {:>7} {:>7} {:>7}\n", "dataset",
                            "device", "section", "split", "domain", "normal", "anomaly", "unknown");
        for (const auto& [key, counts] : groups) {
            const auto& [dataset, device, section, split, domain] = key;
            text += fmt::format("  {:<16} {:<16} {:<7} {:<7} {:<7} {:>7} {:>7} {:>7}\n", dataset,
                                device, section.empty() ? "-" : section, split, domain, counts[0],
                                counts[1], counts[2]);
        }
    }

    append_listing(text, "unreadable audio headers", unreadable, max_listed);
    std::vector<std::pair<std::string, std::string>> skipped_items;
    skipped_items.reserve(skipped.size());
    for (const SkippedFile& file : skipped) {
        skipped_items.emplace_back(file.path, file.reason);
    }
    append_listing(text, "skipped files", skipped_items, max_listed);
    return text;
}

}  // namespace uadscope::dataset
