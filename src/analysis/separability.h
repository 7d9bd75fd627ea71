#pragma once

// Separability (SEP): how well a linear boundary splits normal from anomalous test vectors.
//
// A soft-margin linear SVM (liblinear 2.3, L2-regularised, with a bias feature of 1) is
// cross-validated with folds grouped by file. The L2 loss (squared hinge) is solved in the
// primal with liblinear's trust-region Newton method, because its dual coordinate descent
// stopped at its 1000-iteration limit, far from the optimum, on thousands of overlapping
// log-STFT frames of 513 dimensions. The L1 loss (hinge) has only the dual solver. The
// frames of one file therefore never sit in training and held-out data at once. Otherwise the
// near-duplicate frames of a held-out file would leak into training and inflate the
// accuracy. Features are standardised with the mean and standard deviation of each fold's
// training vectors. Classes are weighted by n / (2 n_class) (scikit-learn's "balanced"), so
// an unbalanced test set does not reward predicting the larger class.
//
// Reported over the held-out predictions of all folds pooled:
//   balanced accuracy = (TPR + TNR) / 2
//   hinge slack       = mean of max(0, 1 - y f(x)), y = +1 anomaly, -1 normal
// and the training slack: the same mean over the training vectors of all folds pooled, at
// each fold's solution, which is the mean slack variable (epsilon) of the SVM objective.
// High-dimensional data can be separable on its training vectors (slack near 0) and still
// not on held-out files.
// SEP is undefined (no value, with a reason) when a class is missing or has fewer than 2
// files: then no fold split keeps both classes in training and held-out data.
//
// Layout: vectors row-major float32 [n, d]; labels [n] 0 normal, 1 anomaly; files [n].

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace uadscope::analysis {

enum class SvmLoss {
    l1,  // hinge loss (liblinear solver L2R_L1LOSS_SVC_DUAL)
    l2,  // squared hinge loss (liblinear solver L2R_L2LOSS_SVC, primal)
};

// "l1" or "l2".
std::string_view to_string(SvmLoss loss);
// Parses "l1" or "l2"; throws Error naming the value otherwise.
SvmLoss parse_svm_loss(std::string_view text);

inline constexpr double default_svm_c = 1.0;
inline constexpr int default_sep_folds = 5;
// Vectors per class kept for the SVM, a seeded uniform sample beyond it. The liblinear
// problem costs about 16 bytes per value, so 5000 vectors per class of 640 values take about
// 100 MB. 0 keeps every vector.
inline constexpr std::int64_t default_sep_max_vectors = 5000;
// liblinear's own default stopping tolerances of its primal (L2 loss) and dual (L1 loss)
// solvers.
inline constexpr double default_primal_tolerance = 0.01;
inline constexpr double default_dual_tolerance = 0.1;

struct SeparabilityOptions {
    SvmLoss loss = SvmLoss::l2;
    double c = default_svm_c;       // > 0; larger values penalise margin violations more
    int folds = default_sep_folds;  // >= 2; fewer are used when there are fewer files
    std::uint64_t seed = 0;         // fold assignment and vector sampling
    std::int64_t max_vectors_per_class = default_sep_max_vectors;
    // Stopping tolerance; empty: liblinear's default of the solver.
    std::optional<double> tolerance;
    // Threads training folds at once with the l2 loss (0: one per core). Each thread keeps
    // its fold's liblinear problem of about 16 bytes per value in memory, so fewer run when
    // the problems would exceed 1 GiB together. The result does not depend on it.
    int jobs = 1;

    // Throws Error naming the first invalid value.
    void validate() const;
    // The tolerance, or the solver's default.
    double solver_tolerance() const;
    // "L2R_L2LOSS_SVC" or "L2R_L1LOSS_SVC_DUAL", the liblinear solver of the loss.
    std::string_view solver_name() const;
};

struct SeparabilityResult {
    std::optional<double> balanced_accuracy;
    std::optional<double> hinge_slack;        // held-out vectors
    std::optional<double> train_hinge_slack;  // training vectors of each fold's SVM
    std::string undefined_reason;             // empty when defined
    std::int64_t normal_files = 0;
    std::int64_t anomaly_files = 0;
    std::int64_t normal_vectors = 0;   // after sampling
    std::int64_t anomaly_vectors = 0;  // after sampling
    int folds = 0;                     // folds used; 0 when undefined
};

// Fold of each file: normal and anomalous files are shuffled separately with generators
// derived from `seed`, then dealt to the folds in turn, anomalous files continuing where
// the normal ones stopped, so each fold gets a share of both classes. `file_labels` maps
// each file to its label (0 or 1).
std::map<std::int32_t, int> assign_file_folds(
    const std::map<std::int32_t, std::uint8_t>& file_labels, int folds, std::uint64_t seed);

// Measures SEP. Throws Error for mismatched sizes, invalid labels, a file whose vectors
// carry both labels, non-finite values or invalid options.
SeparabilityResult measure_separability(std::span<const float> vectors, std::size_t n,
                                        std::size_t d, std::span<const std::uint8_t> labels,
                                        std::span<const std::int32_t> files,
                                        const SeparabilityOptions& options = {});

}  // namespace uadscope::analysis
