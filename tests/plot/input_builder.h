#pragma once

// Builds small PlotInputs with points at chosen places, for the plot tests.

#include <cstdint>
#include <string>

#include "plot/plot_input.h"

namespace uadscope::plot::testing {

struct InputBuilder {
    PlotInput input;

    InputBuilder() { input.map = {"logmel_s1_test", "logmel", 1, "global", 7}; }

    std::int32_t file(const std::string& device, int section, dataset::Domain domain,
                      dataset::Split split, dataset::Label label) {
        input.files.push_back({device, section, domain, split, label, false, "dev"});
        return static_cast<std::int32_t>(input.files.size() - 1);
    }

    std::int32_t external_file(const std::string& dataset) {
        input.files.push_back({"", -1, dataset::Domain::unknown, dataset::Split::unknown,
                               dataset::Label::unknown, true, dataset});
        return static_cast<std::int32_t>(input.files.size() - 1);
    }

    // Adds `count` points of `file` at (x, y), each with energy `energy`.
    void points(std::int32_t file_id, float x, float y, int count = 1, float energy = 1) {
        for (int i = 0; i < count; ++i) {
            input.embedding.push_back(x);
            input.embedding.push_back(y);
            input.file.push_back(file_id);
            input.energy.push_back(energy);
        }
    }
};

}  // namespace uadscope::plot::testing
