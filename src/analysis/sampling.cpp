#include "analysis/sampling.h"

#include <map>

#include "core/error.h"
#include "core/hash.h"
#include "core/random.h"

namespace uadscope::analysis {

Sample sample_vectors(std::span<const SampleFile> files, const SampleCaps& caps,
                      std::uint64_t seed) {
    if (caps.max_train < 0 || caps.max_test < 0) {
        throw Error("sampling caps must be 0 (keep all) or positive; got max_train " +
                    std::to_string(caps.max_train) + ", max_test " + std::to_string(caps.max_test));
    }

    // Files of each group, in first-seen order.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const SampleFile*>> members;
    for (const auto& file : files) {
        auto [it, inserted] = members.try_emplace(file.group);
        if (inserted) {
            order.push_back(file.group);
        }
        it->second.push_back(&file);
    }

    Sample sample;
    const Rng base(seed);
    for (const auto& group : order) {
        const auto& group_files = members[group];
        std::int64_t available = 0;
        for (const auto* file : group_files) {
            available += std::max<std::int64_t>(file->vectors, 0);
        }
        const std::int64_t cap = group_files.front()->train ? caps.max_train : caps.max_test;
        const std::int64_t wanted = (cap == 0 || cap > available) ? available : cap;
        Rng rng = base.fork(Hasher().add(group).value());

        std::int64_t remaining = available;
        std::int64_t needed = wanted;
        for (const auto* file : group_files) {
            for (std::int64_t frame = 0; frame < file->vectors && needed > 0; ++frame) {
                // Algorithm S: keep this vector with probability needed / remaining.
                const bool keep =
                    needed == remaining ||
                    rng.uniform01() * static_cast<double>(remaining) < static_cast<double>(needed);
                if (keep) {
                    sample.points.push_back({file->file_id, static_cast<std::int32_t>(frame)});
                    --needed;
                }
                --remaining;
            }
        }
        UADSCOPE_ASSERT(needed == 0);
        sample.groups.push_back({group, available, wanted});
    }
    return sample;
}

}  // namespace uadscope::analysis
