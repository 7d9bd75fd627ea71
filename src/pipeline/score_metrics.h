#pragma once

// SEP and DSUP of a map's sample for `uadscope score`, and the metrics files
// WORK/metrics/<map>.json and .csv (layout in docs/metrics.md).

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "analysis/discriminative_support.h"
#include "analysis/separability.h"
#include "dataset/manifest.h"
#include "pipeline/feature_file.h"
#include "store/map_file.h"

namespace uadscope::pipeline {

struct MetricsSettings {
    analysis::SeparabilityOptions sep;
    analysis::SupportOptions dsup;
};

struct MapMetricRows {
    nlohmann::ordered_json sep = nlohmann::ordered_json::array();
    nlohmann::ordered_json dsup = nlohmann::ordered_json::array();
    std::int64_t failed_sections = 0;
};

// SEP and DSUP for every (device, section, domain) of the map's labelled test points, in the
// original representation (the points' stacked vectors from `features`) and on the map (their
// 2-D coordinates). Training points of the section are DSUP's reference. `device` restricts
// the devices (empty: all). A section that fails is logged and counted.
MapMetricRows compute_map_metrics(const std::string& map_name, const store::MapData& map,
                                  const dataset::Manifest& manifest, const FeatureFile& features,
                                  int stack, const std::string& device,
                                  const MetricsSettings& settings);

// Fields that identify what the metrics came from: map, rep, stack, scope, fit, seed,
// sampling caps, point count and the sampled vectors per group (device/section/domain/
// split/label).
nlohmann::ordered_json map_description(const std::string& map_name, const store::MapData& map,
                                       const dataset::Manifest& manifest);

// The CSV form of a metrics document: one row per (device, section, domain, space) with
// the SEP and DSUP columns; empty cells for undefined values.
std::string metrics_csv(const nlohmann::ordered_json& document);

}  // namespace uadscope::pipeline
