#include "analysis/separability.h"

#include <fmt/format.h>
#include <linear.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"

namespace uadscope::analysis {

std::string_view to_string(SvmLoss loss) {
    return loss == SvmLoss::l1 ? "l1" : "l2";
}

SvmLoss parse_svm_loss(std::string_view text) {
    if (text == "l1") {
        return SvmLoss::l1;
    }
    if (text == "l2") {
        return SvmLoss::l2;
    }
    throw Error(fmt::format("invalid SVM loss '{}': use l1 (hinge) or l2 (squared hinge)", text));
}

void SeparabilityOptions::validate() const {
    if (!(c > 0.0) || !std::isfinite(c)) {
        throw Error(
            fmt::format("invalid SVM C {}: use a finite value > 0 (default {})", c, default_svm_c));
    }
    if (folds < 2) {
        throw Error(fmt::format("invalid fold count {}: use 2 or more (default {})", folds,
                                default_sep_folds));
    }
    if (max_vectors_per_class < 0) {
        throw Error(fmt::format("invalid SEP vector cap {}: use 0 (no cap) or a positive count",
                                max_vectors_per_class));
    }
    if (tolerance && (!(*tolerance > 0.0) || !std::isfinite(*tolerance))) {
        throw Error(fmt::format(
            "invalid SVM tolerance {}: use a finite value > 0 (default {} for the l2 loss, {} "
            "for l1)",
            *tolerance, default_primal_tolerance, default_dual_tolerance));
    }
}

double SeparabilityOptions::solver_tolerance() const {
    return tolerance.value_or(loss == SvmLoss::l2 ? default_primal_tolerance
                                                  : default_dual_tolerance);
}

std::string_view SeparabilityOptions::solver_name() const {
    return loss == SvmLoss::l2 ? "L2R_L2LOSS_SVC" : "L2R_L1LOSS_SVC_DUAL";
}

std::map<std::int32_t, int> assign_file_folds(
    const std::map<std::int32_t, std::uint8_t>& file_labels, int folds, std::uint64_t seed) {
    UADSCOPE_ASSERT(folds >= 1);
    std::vector<std::int32_t> by_label[2];
    for (const auto& [file, label] : file_labels) {
        UADSCOPE_ASSERT(label <= 1);
        by_label[label].push_back(file);
    }
    const Rng rng(seed);
    std::map<std::int32_t, int> fold_of;
    std::size_t dealt = 0;
    for (int label = 0; label < 2; ++label) {
        Rng shuffler = rng.fork(static_cast<std::uint64_t>(label));
        shuffler.shuffle(std::span<std::int32_t>(by_label[label]));
        for (const std::int32_t file : by_label[label]) {
            fold_of[file] = static_cast<int>(dealt % static_cast<std::size_t>(folds));
            ++dealt;
        }
    }
    return fold_of;
}

namespace {

// Bytes of liblinear problems that parallel folds may hold at once; one fold always runs.
constexpr std::size_t sep_parallel_memory = std::size_t{1} << 30;

// liblinear's dual solvers draw their coordinate order from the process-wide rand(), so they
// train one at a time, with rand() reseeded before each run.
std::mutex liblinear_mutex;

// liblinear reports through one process-wide print function, called on the training thread.
thread_local std::int64_t liblinear_limit_messages = 0;

void count_liblinear_message(const char* text) {
    // Counts "WARNING: reaching max number of iterations", which liblinear 2.3's solvers print
    // when they stop at their iteration limit; other messages are progress.
    if (std::string_view(text).find("reaching max number of iterations") !=
        std::string_view::npos) {
        ++liblinear_limit_messages;
    }
}

void install_liblinear_printer() {
    static std::once_flag installed;
    std::call_once(installed, [] { set_print_string_function(count_liblinear_message); });
}

// Keeps at most `cap` of `rows` (in order) with selection sampling.
std::vector<std::size_t> sample_rows(const std::vector<std::size_t>& rows, std::int64_t cap,
                                     Rng& rng) {
    if (cap == 0 || static_cast<std::int64_t>(rows.size()) <= cap) {
        return rows;
    }
    std::vector<std::size_t> kept;
    kept.reserve(static_cast<std::size_t>(cap));
    std::size_t needed = static_cast<std::size_t>(cap);
    for (std::size_t i = 0; i < rows.size() && needed > 0; ++i) {
        const std::size_t remaining = rows.size() - i;
        if (rng.uniform_int(remaining) < needed) {
            kept.push_back(rows[i]);
            --needed;
        }
    }
    return kept;
}

// Column means and standard deviations of `rows` (population, as scikit-learn's
// StandardScaler); a constant column gets scale 1, so it becomes 0 after centring.
struct Standardiser {
    std::vector<double> mean;
    std::vector<double> scale;

    Standardiser(std::span<const float> vectors, std::size_t d,
                 const std::vector<std::size_t>& rows)
        : mean(d, 0.0), scale(d, 0.0) {
        for (const std::size_t row : rows) {
            const float* x = vectors.data() + row * d;
            for (std::size_t j = 0; j < d; ++j) {
                mean[j] += x[j];
            }
        }
        for (double& value : mean) {
            value /= static_cast<double>(rows.size());
        }
        for (const std::size_t row : rows) {
            const float* x = vectors.data() + row * d;
            for (std::size_t j = 0; j < d; ++j) {
                const double centred = x[j] - mean[j];
                scale[j] += centred * centred;
            }
        }
        for (double& value : scale) {
            value = std::sqrt(value / static_cast<double>(rows.size()));
            if (!(value > 0.0)) {
                value = 1.0;
            }
        }
    }

    // Appends the standardised non-zero values of `row` as liblinear nodes (1-based
    // indices), the bias node (index d + 1) and the terminator.
    void append_nodes(std::span<const float> vectors, std::size_t row,
                      std::vector<feature_node>& nodes) const {
        const std::size_t d = mean.size();
        const float* x = vectors.data() + row * d;
        for (std::size_t j = 0; j < d; ++j) {
            const double value = (x[j] - mean[j]) / scale[j];
            if (value != 0.0) {
                nodes.push_back({static_cast<int>(j + 1), value});
            }
        }
        nodes.push_back({static_cast<int>(d + 1), 1.0});
        nodes.push_back({-1, 0.0});
    }
};

// Sums over one fold's held-out and training vectors.
struct FoldOutcome {
    std::int64_t true_positives = 0;
    std::int64_t true_negatives = 0;
    double slack_sum = 0.0;        // held-out vectors
    double train_slack_sum = 0.0;  // training vectors at the fold's solution
    std::int64_t train_vectors = 0;
    std::int64_t limit_messages = 0;  // liblinear's iteration-limit warnings
};

// Trains the SVM on the rows outside `fold` and scores the held-out rows.
FoldOutcome run_fold(std::span<const float> vectors, std::size_t d,
                     std::span<const std::uint8_t> labels, std::span<const std::int32_t> files,
                     const std::vector<std::size_t>& rows,
                     const std::map<std::int32_t, int>& fold_of, int fold,
                     const SeparabilityOptions& options) {
    FoldOutcome outcome;
    std::vector<std::size_t> train_rows;
    std::vector<std::size_t> held_out_rows;
    std::int64_t train_count[2] = {0, 0};
    for (const std::size_t row : rows) {
        if (fold_of.at(files[row]) == fold) {
            held_out_rows.push_back(row);
        } else {
            train_rows.push_back(row);
            ++train_count[labels[row]];
        }
    }
    if (held_out_rows.empty()) {
        return outcome;
    }
    // Dealing files in turn keeps at least one file of each class out of every fold.
    UADSCOPE_ASSERT(train_count[0] > 0 && train_count[1] > 0);

    const Standardiser standardiser(vectors, d, train_rows);
    std::vector<feature_node> nodes;
    std::vector<std::size_t> starts;
    std::vector<double> y;
    for (const std::size_t row : train_rows) {
        starts.push_back(nodes.size());
        standardiser.append_nodes(vectors, row, nodes);
        y.push_back(labels[row] == 1 ? 1.0 : -1.0);
    }
    std::vector<feature_node*> x;
    for (const std::size_t start : starts) {
        x.push_back(nodes.data() + start);
    }
    problem svm_problem{};
    svm_problem.l = static_cast<int>(train_rows.size());
    svm_problem.n = static_cast<int>(d + 1);
    svm_problem.y = y.data();
    svm_problem.x = x.data();
    svm_problem.bias = 1.0;

    const double total = static_cast<double>(train_rows.size());
    int weight_labels[2] = {-1, 1};
    double weights[2] = {total / (2.0 * static_cast<double>(train_count[0])),
                         total / (2.0 * static_cast<double>(train_count[1]))};
    parameter svm_parameter{};
    svm_parameter.solver_type = options.loss == SvmLoss::l1 ? L2R_L1LOSS_SVC_DUAL : L2R_L2LOSS_SVC;
    svm_parameter.eps = options.solver_tolerance();
    svm_parameter.C = options.c;
    svm_parameter.nr_weight = 2;
    svm_parameter.weight_label = weight_labels;
    svm_parameter.weight = weights;
    svm_parameter.p = 0.1;
    svm_parameter.init_sol = nullptr;
    if (const char* problem_text = check_parameter(&svm_problem, &svm_parameter)) {
        throw Error(fmt::format("SEP: liblinear rejected its parameters: {}", problem_text));
    }

    model* svm_model = nullptr;
    liblinear_limit_messages = 0;
    if (options.loss == SvmLoss::l1) {
        const std::lock_guard lock(liblinear_mutex);
        std::uint64_t state = options.seed + static_cast<std::uint64_t>(fold);
        std::srand(static_cast<unsigned>(splitmix64(state)));
        svm_model = train(&svm_problem, &svm_parameter);
    } else {
        svm_model = train(&svm_problem, &svm_parameter);
    }
    outcome.limit_messages = liblinear_limit_messages;

    const double sign = svm_model->label[0] == 1 ? 1.0 : -1.0;
    for (std::size_t i = 0; i < train_rows.size(); ++i) {
        double decision = 0.0;
        predict_values(svm_model, x[i], &decision);
        outcome.train_slack_sum += std::max(0.0, 1.0 - y[i] * sign * decision);
    }
    outcome.train_vectors = static_cast<std::int64_t>(train_rows.size());
    std::vector<feature_node> query_nodes;
    for (const std::size_t row : held_out_rows) {
        query_nodes.clear();
        standardiser.append_nodes(vectors, row, query_nodes);
        double decision = 0.0;
        predict_values(svm_model, query_nodes.data(), &decision);
        const double f = sign * decision;
        const double target = labels[row] == 1 ? 1.0 : -1.0;
        outcome.slack_sum += std::max(0.0, 1.0 - target * f);
        if (labels[row] == 1 && f > 0.0) {
            ++outcome.true_positives;
        } else if (labels[row] == 0 && f <= 0.0) {
            ++outcome.true_negatives;
        }
    }
    free_and_destroy_model(&svm_model);
    return outcome;
}

}  // namespace

SeparabilityResult measure_separability(std::span<const float> vectors, std::size_t n,
                                        std::size_t d, std::span<const std::uint8_t> labels,
                                        std::span<const std::int32_t> files,
                                        const SeparabilityOptions& options) {
    options.validate();
    if (vectors.size() != n * d || labels.size() != n || files.size() != n) {
        throw Error(fmt::format(
            "SEP: {} values, {} labels and {} file ids do not describe {} vectors of {} values",
            vectors.size(), labels.size(), files.size(), n, d));
    }
    std::map<std::int32_t, std::uint8_t> file_labels;
    std::vector<std::size_t> rows_of_label[2];
    for (std::size_t i = 0; i < n; ++i) {
        if (labels[i] > 1) {
            throw Error(
                fmt::format("SEP: label {} of vector {} is invalid; use 0 (normal) or 1 "
                            "(anomaly)",
                            labels[i], i));
        }
        const auto [it, inserted] = file_labels.emplace(files[i], labels[i]);
        if (!inserted && it->second != labels[i]) {
            throw Error(
                fmt::format("SEP: file {} has vectors labelled normal and anomaly; "
                            "each file has one label",
                            files[i]));
        }
        rows_of_label[labels[i]].push_back(i);
    }
    for (std::size_t i = 0; i < vectors.size(); ++i) {
        if (!std::isfinite(vectors[i])) {
            throw Error(fmt::format("SEP: value {} of vector {} is not finite", vectors[i], i / d));
        }
    }

    SeparabilityResult result;
    for (const auto& [file, label] : file_labels) {
        ++(label == 0 ? result.normal_files : result.anomaly_files);
    }
    if (result.normal_files < 2 || result.anomaly_files < 2) {
        result.undefined_reason = fmt::format(
            "{} normal and {} anomalous file(s): SEP needs at least 2 files of each class",
            result.normal_files, result.anomaly_files);
        result.normal_vectors = static_cast<std::int64_t>(rows_of_label[0].size());
        result.anomaly_vectors = static_cast<std::int64_t>(rows_of_label[1].size());
        return result;
    }

    Rng rng = Rng(options.seed).fork(2);
    std::vector<std::size_t> rows;
    for (int label = 0; label < 2; ++label) {
        const auto kept = sample_rows(rows_of_label[label], options.max_vectors_per_class, rng);
        rows.insert(rows.end(), kept.begin(), kept.end());
        (label == 0 ? result.normal_vectors : result.anomaly_vectors) =
            static_cast<std::int64_t>(kept.size());
    }
    std::sort(rows.begin(), rows.end());

    install_liblinear_printer();
    const int folds =
        std::min<int>(options.folds, static_cast<int>(result.normal_files + result.anomaly_files));
    result.folds = folds;
    const std::map<std::int32_t, int> fold_of = assign_file_folds(file_labels, folds, options.seed);

    // Folds run in parallel with the primal solver, which draws no random numbers. The dual
    // solver reads the process-wide rand(), so its folds run one at a time. Each fold's sums
    // are added in fold order afterwards, so the result does not depend on the thread count.
    std::vector<FoldOutcome> outcomes(static_cast<std::size_t>(folds));
    const std::size_t problem_bytes = rows.size() * (d + 2) * sizeof(feature_node);
    const auto memory_jobs =
        static_cast<int>(std::max<std::size_t>(1, sep_parallel_memory / problem_bytes));
    const int jobs = options.loss == SvmLoss::l2
                         ? std::min({resolve_jobs(options.jobs), folds, memory_jobs})
                         : 1;
    parallel_for(static_cast<std::size_t>(folds), jobs, [&](std::size_t fold, int) {
        outcomes[fold] =
            run_fold(vectors, d, labels, files, rows, fold_of, static_cast<int>(fold), options);
    });
    std::int64_t true_positives = 0;
    std::int64_t true_negatives = 0;
    double slack_sum = 0.0;
    double train_slack_sum = 0.0;
    std::int64_t train_slack_count = 0;
    std::int64_t limit_messages = 0;
    for (const FoldOutcome& outcome : outcomes) {
        true_positives += outcome.true_positives;
        true_negatives += outcome.true_negatives;
        slack_sum += outcome.slack_sum;
        train_slack_sum += outcome.train_slack_sum;
        train_slack_count += outcome.train_vectors;
        limit_messages += outcome.limit_messages;
    }
    if (limit_messages > 0) {
        spdlog::warn(
            "SEP: liblinear's {} solver stopped {} time(s) at its iteration limit before "
            "reaching tolerance {}; the SVM is not fully converged",
            options.solver_name(), limit_messages, options.solver_tolerance());
    }

    const double tpr =
        static_cast<double>(true_positives) / static_cast<double>(result.anomaly_vectors);
    const double tnr =
        static_cast<double>(true_negatives) / static_cast<double>(result.normal_vectors);
    result.balanced_accuracy = 0.5 * (tpr + tnr);
    result.hinge_slack =
        slack_sum / static_cast<double>(result.normal_vectors + result.anomaly_vectors);
    result.train_hinge_slack = train_slack_sum / static_cast<double>(train_slack_count);
    return result;
}

}  // namespace uadscope::analysis
