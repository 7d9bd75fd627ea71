#include "synth/plan.h"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "core/error.h"

namespace uadscope::synth {

namespace {

// Indices in file names have four digits.
constexpr int max_index = 9999;

std::uint64_t stream_id(Machine machine, int section, Domain domain, bool train, bool anomaly_label,
                        int index) {
    std::uint64_t id = static_cast<std::uint64_t>(machine);
    id = id * kSectionCount + static_cast<std::uint64_t>(section);
    id = id * 2 + (domain == Domain::target ? 1 : 0);
    id = id * 2 + (train ? 1 : 0);
    id = id * 2 + (anomaly_label ? 1 : 0);
    return id * (max_index + 1) + static_cast<std::uint64_t>(index);
}

}  // namespace

SectionCounts section_counts(int clips) {
    UADSCOPE_ASSERT(clips >= 1);
    SectionCounts counts;
    counts.source_train = clips;
    counts.target_train = std::max(1, (3 * clips + 5) / 10);
    counts.test_per_label = (clips + 1) / 2;
    return counts;
}

std::vector<PlannedFile> plan_dataset(std::span<const Machine> machines,
                                      const SectionCounts& counts) {
    UADSCOPE_ASSERT(counts.source_train <= max_index + 1 && counts.target_train <= max_index + 1 &&
                    counts.test_per_label <= max_index + 1);
    struct Group {
        Domain domain;
        bool train;
        bool anomaly_label;
        int count;
    };
    const Group groups[] = {
        {Domain::source, true, false, counts.source_train},
        {Domain::target, true, false, counts.target_train},
        {Domain::source, false, false, counts.test_per_label},
        {Domain::source, false, true, counts.test_per_label},
        {Domain::target, false, false, counts.test_per_label},
        {Domain::target, false, true, counts.test_per_label},
    };

    std::vector<PlannedFile> files;
    for (const Machine machine : machines) {
        const auto kinds = anomaly_kinds(machine);
        for (int section = 0; section < kSectionCount; ++section) {
            for (const Group& group : groups) {
                const std::string domain(to_string(group.domain));
                const std::string folder = group.train ? "train" : domain + "_test";
                const std::string attributes = attribute_token(machine, section, group.domain);
                for (int index = 0; index < group.count; ++index) {
                    PlannedFile file;
                    file.spec.machine = machine;
                    file.spec.section = section;
                    file.spec.domain = group.domain;
                    // Anomalous clips cycle through the machine's anomaly kinds by index, so
                    // every kind appears in both domains once there are enough clips.
                    file.spec.anomaly = group.anomaly_label
                                            ? kinds[static_cast<std::size_t>(index) % kinds.size()]
                                            : Anomaly::none;
                    file.train = group.train;
                    file.anomaly_label = group.anomaly_label;
                    file.index = index;
                    file.stream = stream_id(machine, section, group.domain, group.train,
                                            group.anomaly_label, index);
                    file.relative_path =
                        fmt::format("{}/{}/section_{:02}_{}_{}_{}_{:04}_{}.wav", to_string(machine),
                                    folder, section, domain, group.train ? "train" : "test",
                                    group.anomaly_label ? "anomaly" : "normal", index, attributes);
                    files.push_back(std::move(file));
                }
            }
        }
    }
    return files;
}

bool is_synth_path(const std::string& relative_path) {
    static const std::regex pattern(
        "(fan|pump|valve)/(train|source_test|target_test)/"
        "section_[0-9]{2}_(source|target)_(train|test)_(normal|anomaly)_[0-9]{4}_[A-Za-z0-9]+"
        "\\.wav");
    return std::regex_match(relative_path, pattern);
}

}  // namespace uadscope::synth
