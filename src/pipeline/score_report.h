#pragma once

// HTML tables of `uadscope score` results for report.html: SEP, DSUP and the detectors' DCASE
// metrics of one map, read from WORK/metrics/<map>.json (layout in docs/metrics.md).

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>

namespace uadscope::pipeline {

// Escapes &, <, > and " for HTML text and attribute values.
std::string escape_html(std::string_view text);

// One line naming what a map's metrics came from: representation, stack, scope, fit, map
// seed, point count, sampling caps and the seed of SEP and DSUP.
std::string metrics_provenance(const nlohmann::json& document);

// The tables of one metrics document: SEP and DSUP per (device, section, domain) with the
// original and the map side by side, the detectors' DCASE metrics per scores folder with
// their official scores, and training vectors with k-distance 0. Each table has a caption
// with metrics_provenance and the sample sizes. Missing or malformed parts are left out;
// undefined values show as "undefined" with the reason as a tooltip.
std::string metrics_tables_html(const nlohmann::json& document);

// A caption for each scores folder named in the document's detector rows: the detector, its
// space and metrics_provenance of the map, keyed by the folder name under WORK/scores.
std::map<std::string, std::string> detector_run_captions(const nlohmann::json& document);

}  // namespace uadscope::pipeline
