#include "umap/spectral_init.h"

#include <Spectra/SymEigsSolver.h>
#include <Eigen/Dense>
#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "core/error.h"
#include "core/log.h"
#include "core/parallel.h"

namespace uadscope::umap {
namespace {

// Graphs up to this many vertices are solved densely (exact eigenvectors in well under a
// second); larger ones with Spectra's implicitly restarted Lanczos.
constexpr std::size_t dense_max_vertices = 1000;
// Relative eigenvalue tolerance, umap-learn's eigsh default.
constexpr double eigen_tolerance = 1e-4;
// Lanczos basis size and restart limit for Spectra.
constexpr Eigen::Index lanczos_min_vectors = 32;
constexpr Eigen::Index lanczos_max_restarts = 1000;
// Rows per task of the parallel sparse products.
constexpr Eigen::Index product_block_rows = 8192;

using RowMajorSparse = Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t>;

// y = D^-1/2 W D^-1/2 x for Spectra, by row blocks in parallel (each row has one writer, so
// the result does not depend on the thread count).
class NormalisedAdjacencyProduct {
  public:
    using Scalar = double;

    NormalisedAdjacencyProduct(const RowMajorSparse& matrix, int jobs)
        : matrix_(matrix), jobs_(jobs) {}

    Eigen::Index rows() const { return matrix_.rows(); }
    Eigen::Index cols() const { return matrix_.cols(); }

    void perform_op(const double* x_in, double* y_out) const {
        const Eigen::Index n = matrix_.rows();
        const Eigen::Map<const Eigen::VectorXd> x(x_in, n);
        const auto blocks =
            static_cast<std::size_t>((n + product_block_rows - 1) / product_block_rows);
        parallel_for(blocks, jobs_, [&](std::size_t block, int) {
            const auto begin = static_cast<Eigen::Index>(block) * product_block_rows;
            const Eigen::Index count = std::min(n, begin + product_block_rows) - begin;
            Eigen::Map<Eigen::VectorXd> y(y_out + begin, count);
            y.noalias() = matrix_.middleRows(begin, count) * x;
        });
    }

  private:
    const RowMajorSparse& matrix_;
    int jobs_;
};

std::vector<double> degrees_of(const SparseGraph& graph) {
    std::vector<double> degrees(graph.n_rows, 0.0);
    for (std::size_t i = 0; i < graph.n_rows; ++i) {
        for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
            degrees[i] += graph.weights[static_cast<std::size_t>(e)];
        }
    }
    return degrees;
}

// The eigenvectors of I - D^-1/2 W D^-1/2 for eigenvalues 2..dim+1 (ascending) of a
// connected graph, [n, dim]; nothing when the eigensolver fails.
std::optional<std::vector<double>> embed_connected(const SparseGraph& graph, int dim, Rng& rng,
                                                   int jobs) {
    const std::size_t n = graph.n_rows;
    const auto dims = static_cast<std::size_t>(dim);
    const std::size_t wanted = dims + 1;
    if (n <= wanted) {
        return std::nullopt;
    }
    const std::vector<double> degrees = degrees_of(graph);
    std::vector<double> inverse_sqrt(n);
    for (std::size_t i = 0; i < n; ++i) {
        inverse_sqrt[i] = degrees[i] > 0.0 ? 1.0 / std::sqrt(degrees[i]) : 0.0;
    }

    std::vector<double> result(n * dims);
    if (n <= dense_max_vertices) {
        const auto size = static_cast<Eigen::Index>(n);
        Eigen::MatrixXd laplacian = Eigen::MatrixXd::Identity(size, size);
        for (std::size_t i = 0; i < n; ++i) {
            for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
                const auto j = static_cast<std::size_t>(graph.columns[static_cast<std::size_t>(e)]);
                laplacian(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) -=
                    inverse_sqrt[i] * graph.weights[static_cast<std::size_t>(e)] * inverse_sqrt[j];
            }
        }
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(laplacian);
        if (solver.info() != Eigen::Success) {
            return std::nullopt;
        }
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t c = 0; c < dims; ++c) {
                result[i * dims + c] = solver.eigenvectors()(static_cast<Eigen::Index>(i),
                                                             static_cast<Eigen::Index>(c + 1));
            }
        }
        return result;
    }

    // Largest eigenvalues of D^-1/2 W D^-1/2 = smallest of the Laplacian, same vectors.
    std::vector<Eigen::Triplet<double, std::int64_t>> triplets;
    triplets.reserve(graph.nnz());
    for (std::size_t i = 0; i < n; ++i) {
        for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
            const auto j = static_cast<std::size_t>(graph.columns[static_cast<std::size_t>(e)]);
            triplets.emplace_back(
                static_cast<std::int64_t>(i), static_cast<std::int64_t>(j),
                inverse_sqrt[i] * graph.weights[static_cast<std::size_t>(e)] * inverse_sqrt[j]);
        }
    }
    RowMajorSparse matrix(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    matrix.setFromTriplets(triplets.begin(), triplets.end());
    triplets = {};

    NormalisedAdjacencyProduct product(matrix, jobs);
    const auto nev = static_cast<Eigen::Index>(wanted);
    const Eigen::Index ncv =
        std::min(static_cast<Eigen::Index>(n), std::max(2 * nev + 1, lanczos_min_vectors));
    Spectra::SymEigsSolver<NormalisedAdjacencyProduct> solver(product, nev, ncv);
    Eigen::VectorXd start(static_cast<Eigen::Index>(n));
    for (Eigen::Index i = 0; i < start.size(); ++i) {
        start(i) = rng.normal();
    }
    solver.init(start.data());
    solver.compute(Spectra::SortRule::LargestAlge, lanczos_max_restarts, eigen_tolerance);
    if (solver.info() != Spectra::CompInfo::Successful) {
        spdlog::debug("spectral initialisation: Lanczos did not converge after {} products",
                      solver.num_operations());
        return std::nullopt;
    }
    spdlog::debug("spectral initialisation: {} vertices, {} sparse products", n,
                  solver.num_operations());
    // Spectra returns the eigenvalues in decreasing order; column 0 is the trivial one.
    const Eigen::MatrixXd vectors = solver.eigenvectors();
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < dims; ++c) {
            result[i * dims + c] =
                vectors(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c + 1));
        }
    }
    return result;
}

std::vector<double> uniform_coordinates(std::size_t n, int dim, double low, double high, Rng& rng) {
    std::vector<double> result(n * static_cast<std::size_t>(dim));
    for (auto& value : result) {
        value = low + rng.uniform01() * (high - low);
    }
    return result;
}

// The centroid layout by principal components, scaled to a maximum absolute coordinate of
// 1: used when the spectral layout of the centroids is degenerate.
Eigen::MatrixXd centroid_pca_layout(const Eigen::MatrixXd& centroids, int dim) {
    const Eigen::MatrixXd centred = centroids.rowwise() - centroids.colwise().mean();
    const Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinU);
    const Eigen::Index columns = std::min<Eigen::Index>(dim, svd.singularValues().size());
    Eigen::MatrixXd layout = Eigen::MatrixXd::Zero(centroids.rows(), dim);
    for (Eigen::Index c = 0; c < columns; ++c) {
        layout.col(c) = svd.matrixU().col(c) * svd.singularValues()(c);
    }
    const double scale = layout.cwiseAbs().maxCoeff();
    if (scale > 0.0) {
        layout /= scale;
    }
    return layout;
}

// umap-learn's component_layout: a spectral embedding (scikit-learn's SpectralEmbedding
// with affinity exp(-distance^2)) of the component centroids, divided by its maximum.
// That affinity underflows to 0 for centroids more than about 27 apart, which leaves the
// embedding arbitrary; uadscope then lays out the centroids by principal components.
Eigen::MatrixXd component_layout(std::span<const float> data, std::size_t d,
                                 const Components& components, int dim) {
    const auto count = static_cast<Eigen::Index>(components.count);
    const std::size_t n = components.labels.size();
    Eigen::MatrixXd centroids = Eigen::MatrixXd::Zero(count, static_cast<Eigen::Index>(d));
    Eigen::VectorXd sizes = Eigen::VectorXd::Zero(count);
    for (std::size_t i = 0; i < n; ++i) {
        const Eigen::Index label = components.labels[i];
        sizes(label) += 1.0;
        for (std::size_t j = 0; j < d; ++j) {
            centroids(label, static_cast<Eigen::Index>(j)) += data[i * d + j];
        }
    }
    for (Eigen::Index c = 0; c < count; ++c) {
        centroids.row(c) /= sizes(c);
    }

    Eigen::MatrixXd affinity(count, count);
    for (Eigen::Index i = 0; i < count; ++i) {
        for (Eigen::Index j = 0; j < count; ++j) {
            const double squared = (centroids.row(i) - centroids.row(j)).squaredNorm();
            affinity(i, j) = i == j ? 0.0 : std::exp(-squared);
        }
    }
    const Eigen::VectorXd degrees = affinity.rowwise().sum();
    // The spectral layout needs a connected affinity graph; isolated centroids (all
    // affinities 0) make it degenerate.
    bool connected = degrees.minCoeff() > 0.0;
    if (connected) {
        std::vector<bool> seen(static_cast<std::size_t>(count), false);
        std::vector<Eigen::Index> stack{0};
        seen[0] = true;
        std::size_t reached = 1;
        while (!stack.empty()) {
            const Eigen::Index i = stack.back();
            stack.pop_back();
            for (Eigen::Index j = 0; j < count; ++j) {
                if (!seen[static_cast<std::size_t>(j)] && affinity(i, j) > 0.0) {
                    seen[static_cast<std::size_t>(j)] = true;
                    ++reached;
                    stack.push_back(j);
                }
            }
        }
        connected = reached == static_cast<std::size_t>(count);
    }
    if (!connected) {
        return centroid_pca_layout(centroids, dim);
    }

    const Eigen::VectorXd sqrt_degrees = degrees.cwiseSqrt();
    Eigen::MatrixXd laplacian = Eigen::MatrixXd::Identity(count, count);
    for (Eigen::Index i = 0; i < count; ++i) {
        for (Eigen::Index j = 0; j < count; ++j) {
            laplacian(i, j) -= affinity(i, j) / (sqrt_degrees(i) * sqrt_degrees(j));
        }
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(laplacian);
    Eigen::MatrixXd layout(count, dim);
    for (int c = 0; c < dim; ++c) {
        Eigen::VectorXd vector = solver.eigenvectors().col(c + 1).cwiseQuotient(sqrt_degrees);
        // scikit-learn's deterministic sign: the largest absolute entry is positive.
        Eigen::Index largest = 0;
        vector.cwiseAbs().maxCoeff(&largest);
        if (vector(largest) < 0.0) {
            vector = -vector;
        }
        layout.col(c) = vector;
    }
    const double maximum = layout.maxCoeff();
    if (!(maximum > 0.0) || !layout.allFinite()) {
        return centroid_pca_layout(centroids, dim);
    }
    return layout / maximum;
}

// The induced subgraph on the vertices `members` (ascending), renumbered 0..m-1.
SparseGraph subgraph(const SparseGraph& graph, const std::vector<std::size_t>& members,
                     const std::vector<std::int32_t>& position) {
    SparseGraph result;
    result.n_rows = members.size();
    result.n_cols = members.size();
    result.row_offsets.assign(members.size() + 1, 0);
    for (std::size_t r = 0; r < members.size(); ++r) {
        const std::size_t i = members[r];
        for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
            const auto j = static_cast<std::size_t>(graph.columns[static_cast<std::size_t>(e)]);
            result.columns.push_back(position[j]);
            result.weights.push_back(graph.weights[static_cast<std::size_t>(e)]);
        }
        result.row_offsets[r + 1] = static_cast<std::int64_t>(result.columns.size());
    }
    return result;
}

// umap-learn's multi_component_layout.
std::vector<double> multi_component_layout(const SparseGraph& graph, std::span<const float> data,
                                           std::size_t d, const Components& components, int dim,
                                           const Rng& rng, int jobs) {
    const std::size_t n = graph.n_rows;
    const auto dims = static_cast<std::size_t>(dim);
    const auto count = static_cast<Eigen::Index>(components.count);

    Eigen::MatrixXd meta;
    if (components.count > 2 * dims) {
        meta = component_layout(data, d, components, dim);
    } else {
        // Unit vectors along the axes and their negatives.
        const Eigen::Index half = (count + 1) / 2;
        meta = Eigen::MatrixXd::Zero(count, dim);
        for (Eigen::Index c = 0; c < count; ++c) {
            meta(c, c % half) = c < half ? 1.0 : -1.0;
        }
    }

    std::vector<std::vector<std::size_t>> members(components.count);
    std::vector<std::int32_t> position(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto& list = members[static_cast<std::size_t>(components.labels[i])];
        position[i] = static_cast<std::int32_t>(list.size());
        list.push_back(i);
    }

    // A component of at least half the rows is embedded first, with every thread in its
    // solver. The others are embedded side by side, one thread each. Each component draws
    // from its own stream, so the result does not depend on the thread count.
    std::vector<std::size_t> large;
    std::vector<std::size_t> small;
    for (std::size_t c = 0; c < components.count; ++c) {
        (2 * members[c].size() >= n ? large : small).push_back(c);
    }
    std::vector<double> result(n * dims);
    const auto embed_component = [&](std::size_t component, int solver_jobs) {
        const auto c = static_cast<Eigen::Index>(component);
        Rng component_rng = rng.fork(component);
        const auto& vertices = members[component];
        double nearest = std::numeric_limits<double>::infinity();
        for (Eigen::Index other = 0; other < count; ++other) {
            const double distance = (meta.row(c) - meta.row(other)).norm();
            if (distance > 0.0) {
                nearest = std::min(nearest, distance);
            }
        }
        const double data_range = std::isfinite(nearest) ? nearest / 2.0 : 1.0;

        std::vector<double> local;
        if (vertices.size() < 2 * dims || vertices.size() <= dims + 1) {
            local =
                uniform_coordinates(vertices.size(), dim, -data_range, data_range, component_rng);
        } else {
            auto embedded = embed_connected(subgraph(graph, vertices, position), dim, component_rng,
                                            solver_jobs);
            if (!embedded) {
                spdlog::warn(
                    "spectral initialisation failed for a component of {} points; it "
                    "starts from random positions",
                    vertices.size());
                embedded = uniform_coordinates(vertices.size(), dim, -10.0, 10.0, component_rng);
            }
            local = std::move(*embedded);
            double maximum = 0.0;
            for (const double value : local) {
                maximum = std::max(maximum, std::fabs(value));
            }
            const double expansion = maximum > 0.0 ? data_range / maximum : 0.0;
            for (auto& value : local) {
                value *= expansion;
            }
        }
        for (std::size_t r = 0; r < vertices.size(); ++r) {
            for (std::size_t k = 0; k < dims; ++k) {
                result[vertices[r] * dims + k] =
                    local[r * dims + k] + meta(c, static_cast<Eigen::Index>(k));
            }
        }
    };
    for (const std::size_t component : large) {
        embed_component(component, jobs);
    }
    parallel_for(small.size(), jobs,
                 [&](std::size_t index, int) { embed_component(small[index], 1); });
    return result;
}

}  // namespace

Components connected_components(const SparseGraph& graph) {
    const std::size_t n = graph.n_rows;
    Components result;
    result.labels.assign(n, -1);
    std::vector<std::size_t> stack;
    for (std::size_t start = 0; start < n; ++start) {
        if (result.labels[start] >= 0) {
            continue;
        }
        const auto label = static_cast<std::int32_t>(result.count++);
        result.labels[start] = label;
        stack.push_back(start);
        while (!stack.empty()) {
            const std::size_t i = stack.back();
            stack.pop_back();
            for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
                const auto j = static_cast<std::size_t>(graph.columns[static_cast<std::size_t>(e)]);
                if (result.labels[j] < 0) {
                    result.labels[j] = label;
                    stack.push_back(j);
                }
            }
        }
    }
    return result;
}

SpectralLayout spectral_layout(const SparseGraph& graph, std::span<const float> data, std::size_t d,
                               int dim, Rng& rng, int jobs) {
    UADSCOPE_ASSERT(dim >= 1);
    UADSCOPE_ASSERT(data.size() == graph.n_rows * d);
    SpectralLayout layout;
    const Components components = connected_components(graph);
    layout.components = components.count;
    if (components.count > 1) {
        layout.coordinates = multi_component_layout(graph, data, d, components, dim, rng, jobs);
        return layout;
    }
    auto embedded = embed_connected(graph, dim, rng, jobs);
    if (embedded) {
        layout.coordinates = std::move(*embedded);
    } else {
        layout.random_fallback = true;
        layout.coordinates = uniform_coordinates(graph.n_rows, dim, -10.0, 10.0, rng);
    }
    return layout;
}

}  // namespace uadscope::umap
