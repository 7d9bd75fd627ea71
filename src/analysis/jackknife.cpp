#include "analysis/jackknife.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "analysis/numpy_sum.h"
#include "analysis/student_t.h"
#include "core/error.h"
#include "core/parallel.h"

namespace uadscope::analysis {
namespace {

// Confidence level 0.95, as the evaluators use: the two-sided quantile at 0.025.
constexpr double ci95_lower_tail = 0.025;

// Combines theta and the leave-one-out values in the evaluators' order of operations,
// with numpy's summation for every mean and sum.
JackknifeEstimate summarise(double theta, std::span<const double> leave_one_out) {
    const std::size_t n = leave_one_out.size();
    const auto count = static_cast<double>(n);
    const double mean_leave_one_out = numpy_sum(leave_one_out) / count;

    std::vector<double> pseudo_values(n);
    std::vector<double> squared_deviations(n);
    for (std::size_t i = 0; i < n; ++i) {
        pseudo_values[i] = count * theta - (count - 1.0) * leave_one_out[i];
        const double deviation = leave_one_out[i] - mean_leave_one_out;
        squared_deviations[i] = deviation * deviation;
    }

    JackknifeEstimate result;
    result.value = theta;
    result.estimate = numpy_sum(pseudo_values) / count;
    const double sigma = std::sqrt(numpy_sum(squared_deviations) / (count * (count - 1.0)));
    result.ci95 = std::fabs(student_t_quantile(ci95_lower_tail, count - 1.0)) * sigma;
    return result;
}

}  // namespace

std::optional<RocJackknife> jackknife_roc(std::span<const double> scores,
                                          std::span<const std::uint8_t> labels, double max_fpr,
                                          int jobs) {
    const std::vector<ScoreRun> runs = score_runs(scores, labels);
    std::int64_t normals = 0;
    std::int64_t anomalies = 0;
    for (const ScoreRun& run : runs) {
        normals += run.normals;
        anomalies += run.anomalies;
    }
    if (normals < 2 || anomalies < 2) {
        return std::nullopt;
    }

    const std::size_t n = scores.size();
    const RocAreas all = roc_areas(runs, max_fpr);
    std::vector<double> auc_leave_one_out(n);
    std::vector<double> pauc_leave_one_out(n);

    // Each worker removes a clip from its own copy of the runs, computes the areas, and
    // puts the clip back: O(runs) per clip instead of a fresh sort.
    const int threads = resolve_jobs(jobs);
    std::vector<std::vector<ScoreRun>> worker_runs(static_cast<std::size_t>(threads), runs);
    parallel_for(n, threads, [&](std::size_t i, int worker) {
        std::vector<ScoreRun>& own = worker_runs[static_cast<std::size_t>(worker)];
        const auto found =
            std::lower_bound(own.begin(), own.end(), scores[i],
                             [](const ScoreRun& run, double score) { return run.score > score; });
        UADSCOPE_ASSERT(found != own.end() && found->score == scores[i]);
        std::int64_t& count = labels[i] == 1 ? found->anomalies : found->normals;
        --count;
        const RocAreas areas = roc_areas(own, max_fpr);
        ++count;
        auc_leave_one_out[i] = areas.auc;
        pauc_leave_one_out[i] = areas.pauc;
    });

    RocJackknife result;
    result.clips = n;
    result.auc = summarise(all.auc, auc_leave_one_out);
    result.pauc = summarise(all.pauc, pauc_leave_one_out);
    return result;
}

}  // namespace uadscope::analysis
