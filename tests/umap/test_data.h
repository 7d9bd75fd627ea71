#pragma once

// Small synthetic inputs for the UMAP tests.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/random.h"

namespace uadscope::umap::test_data {

// Gaussian blobs: n rows x d, `clusters` centres drawn with standard deviation
// `centre_scale`, unit noise around them. labels receives each row's cluster when given.
inline std::vector<float> gaussian_blobs(std::size_t n, std::size_t d, int clusters,
                                         double centre_scale, std::uint64_t seed,
                                         std::vector<int>* labels = nullptr) {
    Rng rng(seed);
    std::vector<double> centres(static_cast<std::size_t>(clusters) * d);
    for (auto& value : centres) {
        value = centre_scale * rng.normal();
    }
    std::vector<float> data(n * d);
    if (labels != nullptr) {
        labels->assign(n, 0);
    }
    for (std::size_t i = 0; i < n; ++i) {
        // Rows go to clusters in turn, so every cluster gets n / clusters rows.
        const std::size_t c = i % static_cast<std::size_t>(clusters);
        if (labels != nullptr) {
            (*labels)[i] = static_cast<int>(c);
        }
        for (std::size_t j = 0; j < d; ++j) {
            data[i * d + j] = static_cast<float>(centres[c * d + j] + rng.normal());
        }
    }
    return data;
}

}  // namespace uadscope::umap::test_data
