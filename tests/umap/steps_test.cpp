// Tests of the UMAP steps: curve fit, smooth kNN distances, fuzzy union, spectral layout,
// SGD helpers.

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <vector>

#include "core/random.h"
#include "neighbors/knn_graph.h"
#include "umap/curve_fit.h"
#include "umap/fast_math.h"
#include "umap/fuzzy_set.h"
#include "umap/layout.h"
#include "umap/spectral_init.h"

namespace uadscope::umap {
namespace {

struct CurveCase {
    double spread;
    double min_dist;
    double a;
    double b;
};

TEST(FindAbParams, MatchesScipyCurveFit) {
    // umap-learn 0.5.7 find_ab_params (scipy 1.10 curve_fit), printed with repr().
    const CurveCase cases[] = {
        {1.0, 0.1, 1.5769434601962196, 0.8950608779914887},
        {1.0, 0.0, 1.9328083975546724, 0.7904949734010681},
        {1.0, 0.5, 0.583030020479462, 1.3341669929263487},
        {2.0, 0.1, 0.5446605403757238, 0.8420554264219823},
        {0.5, 0.01, 5.720240832372411, 0.8108767596394644},
        {1.0, 0.99, 0.11930530006447332, 1.9163904159174419},
    };
    for (const CurveCase& c : cases) {
        const CurveParameters fitted = find_ab_params(c.spread, c.min_dist);
        // Both fits converge to the same least-squares minimum; MINPACK stops at a relative
        // tolerance of about 1.5e-8 on the parameters.
        EXPECT_NEAR(fitted.a, c.a, 1e-5 * c.a)
            << "spread " << c.spread << " min_dist " << c.min_dist;
        EXPECT_NEAR(fitted.b, c.b, 1e-5 * c.b)
            << "spread " << c.spread << " min_dist " << c.min_dist;
    }
}

TEST(SmoothKnnDistances, MatchesUmapLearnForFit) {
    // umap-learn 0.5.7 smooth_knn_dist(d, 5.0) on rows [0, 1, 1.5, 2, 4], [0, 0, 0, 3, 3.5],
    // [0, 0.2, 0.25, 0.3, 0.9], [0, 0, 0, 0, 0]; the leading 0 is the point itself.
    const std::vector<float> distances = {1.0f, 1.5f,  2.0f, 4.0f, 0.0f, 0.0f, 3.0f, 3.5f,
                                          0.2f, 0.25f, 0.3f, 0.9f, 0.0f, 0.0f, 0.0f, 0.0f};
    const SmoothKnnResult result = smooth_knn_distances(distances, 4, 4, 5.0f, 1.0f, true);
    const float sigmas[] = {1.4255371f, 1.3e-03f, 1.7143631e-01f, 8.3249999e-04f};
    const float rhos[] = {1.0f, 3.0f, 0.2f, 0.0f};
    for (std::size_t i = 0; i < 4; ++i) {
        // umap-learn runs this in float32 with fastmath. Both binary searches end within the
        // same tolerance, so the sigmas agree to a few float ulps of the search steps.
        EXPECT_NEAR(result.sigmas[i], sigmas[i], 1e-5f * std::max(1.0f, sigmas[i])) << "row " << i;
        EXPECT_FLOAT_EQ(result.rhos[i], rhos[i]) << "row " << i;
    }
}

TEST(SmoothKnnDistances, MatchesUmapLearnForTransform) {
    // umap-learn 0.5.7 smooth_knn_dist(d, 4.0, local_connectivity=0.0) on the rows above
    // without the leading 0, as transform calls it.
    const std::vector<float> distances = {1.0f, 1.5f,  2.0f, 4.0f, 0.0f, 0.0f, 3.0f, 3.5f,
                                          0.2f, 0.25f, 0.3f, 0.9f, 0.0f, 0.0f, 0.0f, 0.0f};
    const SmoothKnnResult result = smooth_knn_distances(distances, 4, 4, 4.0f, 0.0f, false);
    const float sigmas[] = {5.9328613f, 4.6790771f, 1.1011200f, 1.0406249e-03f};
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_NEAR(result.sigmas[i], sigmas[i], 1e-5f * std::max(1.0f, sigmas[i])) << "row " << i;
        EXPECT_EQ(result.rhos[i], 0.0f) << "row " << i;
    }
}

TEST(SmoothKnnDistances, MembershipsSumToLog2K) {
    Rng rng(4);
    const std::size_t n = 50;
    const std::size_t k = 14;
    std::vector<float> distances(n * k);
    for (std::size_t i = 0; i < n; ++i) {
        float value = static_cast<float>(rng.uniform01());
        for (std::size_t j = 0; j < k; ++j) {
            value += static_cast<float>(rng.uniform01());
            distances[i * k + j] = value;
        }
    }
    const SmoothKnnResult result = smooth_knn_distances(distances, n, k, 15.0f, 1.0f, true);
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_EQ(result.rhos[i], distances[i * k]) << "rho is the nearest non-zero distance";
        float total = 0.0f;
        for (std::size_t j = 0; j < k; ++j) {
            total += membership_strength(distances[i * k + j], result.rhos[i], result.sigmas[i]);
        }
        // The binary search stops within 1e-5 of log2(15); float sums add a few ulps.
        EXPECT_NEAR(total, std::log2(15.0), 1e-4) << "row " << i;
    }
}

neighbors::KnnGraph make_graph(std::size_t n, int k, const std::vector<std::int32_t>& indices,
                               const std::vector<float>& distances) {
    neighbors::KnnGraph graph;
    graph.n = n;
    graph.k = k;
    graph.indices = indices;
    graph.distances = distances;
    return graph;
}

TEST(FuzzySimplicialSet, UnionIsSymmetricWithProbabilisticOr) {
    // 4 points, 2 neighbours each; distances chosen so that memberships differ.
    const auto knn = make_graph(4, 2, {1, 2, 0, 2, 1, 3, 2, 0},
                                {1.0f, 2.0f, 1.0f, 1.5f, 1.5f, 3.0f, 3.0f, 4.0f});
    const SmoothKnnResult smooth = smooth_knn_distances(knn.distances, 4, 2, 3.0f, 1.0f, true);
    std::map<std::pair<int, int>, float> directed;
    for (std::size_t i = 0; i < 4; ++i) {
        for (std::size_t j = 0; j < 2; ++j) {
            directed[{static_cast<int>(i), knn.row_indices(i)[j]}] =
                membership_strength(knn.row_distances(i)[j], smooth.rhos[i], smooth.sigmas[i]);
        }
    }
    const SparseGraph graph = fuzzy_simplicial_set(knn, 3.0f, 1.0f, 1.0f);
    std::map<std::pair<int, int>, float> merged;
    for (std::size_t i = 0; i < graph.n_rows; ++i) {
        for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
            if (e > graph.row_offsets[i]) {
                EXPECT_LT(graph.columns[static_cast<std::size_t>(e) - 1],
                          graph.columns[static_cast<std::size_t>(e)]);
            }
            merged[{static_cast<int>(i), graph.columns[static_cast<std::size_t>(e)]}] =
                graph.weights[static_cast<std::size_t>(e)];
        }
    }
    for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) {
            const float a = directed.count({i, j}) ? directed[{i, j}] : 0.0f;
            const float b = directed.count({j, i}) ? directed[{j, i}] : 0.0f;
            const float expected = a + b - a * b;
            const float actual = merged.count({i, j}) ? merged[{i, j}] : 0.0f;
            EXPECT_FLOAT_EQ(actual, expected) << i << " -> " << j;
            const float transposed = merged.count({j, i}) ? merged[{j, i}] : 0.0f;
            EXPECT_FLOAT_EQ(actual, transposed);
        }
    }
}

TEST(FuzzySimplicialSet, IntersectionKeepsOnlyMutualEdges) {
    const auto knn = make_graph(3, 1, {1, 0, 0}, {1.0f, 1.0f, 2.0f});
    const SparseGraph graph = fuzzy_simplicial_set(knn, 2.0f, 1.0f, 0.0f);
    // 0 <-> 1 are mutual neighbours; 2 -> 0 is one-sided and vanishes.
    EXPECT_EQ(graph.nnz(), 2u);
    EXPECT_EQ(graph.row_offsets[3] - graph.row_offsets[2], 0);
}

// A path 0 - 1 - ... - (n-1) with unit weights.
SparseGraph path_graph(std::size_t n) {
    SparseGraph graph;
    graph.n_rows = n;
    graph.n_cols = n;
    graph.row_offsets.push_back(0);
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) {
            graph.columns.push_back(static_cast<std::int32_t>(i - 1));
            graph.weights.push_back(1.0f);
        }
        if (i + 1 < n) {
            graph.columns.push_back(static_cast<std::int32_t>(i + 1));
            graph.weights.push_back(1.0f);
        }
        graph.row_offsets.push_back(static_cast<std::int64_t>(graph.columns.size()));
    }
    return graph;
}

// A grid graph of side x side vertices with 4-neighbour unit weights.
SparseGraph grid_graph(std::size_t side) {
    SparseGraph graph;
    graph.n_rows = side * side;
    graph.n_cols = side * side;
    graph.row_offsets.push_back(0);
    for (std::size_t r = 0; r < side; ++r) {
        for (std::size_t c = 0; c < side; ++c) {
            std::vector<std::size_t> neighbours;
            if (r > 0)
                neighbours.push_back((r - 1) * side + c);
            if (c > 0)
                neighbours.push_back(r * side + c - 1);
            if (c + 1 < side)
                neighbours.push_back(r * side + c + 1);
            if (r + 1 < side)
                neighbours.push_back((r + 1) * side + c);
            for (const std::size_t j : neighbours) {
                graph.columns.push_back(static_cast<std::int32_t>(j));
                graph.weights.push_back(1.0f);
            }
            graph.row_offsets.push_back(static_cast<std::int64_t>(graph.columns.size()));
        }
    }
    return graph;
}

// Checks that each coordinate column is an eigenvector of the normalised Laplacian with a
// small eigenvalue and orthogonal to the trivial eigenvector sqrt(degree).
void expect_laplacian_eigenvectors(const SparseGraph& graph, const std::vector<double>& layout,
                                   int dim) {
    const std::size_t n = graph.n_rows;
    std::vector<double> degree(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
            degree[i] += graph.weights[static_cast<std::size_t>(e)];
        }
    }
    for (int c = 0; c < dim; ++c) {
        std::vector<double> v(n);
        double norm = 0.0;
        double trivial = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            v[i] = layout[i * static_cast<std::size_t>(dim) + static_cast<std::size_t>(c)];
            norm += v[i] * v[i];
            trivial += v[i] * std::sqrt(degree[i]);
        }
        ASSERT_GT(norm, 0.0);
        std::vector<double> lv(n);
        double rayleigh = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            double sum = v[i];
            for (auto e = graph.row_offsets[i]; e < graph.row_offsets[i + 1]; ++e) {
                const auto j = static_cast<std::size_t>(graph.columns[static_cast<std::size_t>(e)]);
                sum -= graph.weights[static_cast<std::size_t>(e)] * v[j] /
                       std::sqrt(degree[i] * degree[j]);
            }
            lv[i] = sum;
            rayleigh += v[i] * sum;
        }
        rayleigh /= norm;
        double residual = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            residual += (lv[i] - rayleigh * v[i]) * (lv[i] - rayleigh * v[i]);
        }
        // Spectra stops at a relative eigenvalue tolerance of 1e-4 (umap-learn's eigsh tol).
        EXPECT_LT(std::sqrt(residual / norm), 1e-3) << "column " << c;
        EXPECT_LT(std::fabs(trivial) / std::sqrt(norm), 1e-3) << "column " << c;
        EXPECT_LT(rayleigh, 0.1) << "column " << c << ": not among the smallest eigenvalues";
    }
}

TEST(SpectralLayout, DenseSolverGivesLaplacianEigenvectors) {
    const SparseGraph graph = path_graph(200);
    Rng rng(1);
    const std::vector<float> data(200, 0.0f);
    const SpectralLayout layout = spectral_layout(graph, data, 1, 2, rng, 1);
    EXPECT_EQ(layout.components, 1u);
    EXPECT_FALSE(layout.random_fallback);
    expect_laplacian_eigenvectors(graph, layout.coordinates, 2);
}

TEST(SpectralLayout, LanczosSolverGivesLaplacianEigenvectors) {
    const SparseGraph graph = grid_graph(40);  // 1600 vertices: above the dense limit
    Rng rng(2);
    const std::vector<float> data(1600, 0.0f);
    const SpectralLayout layout = spectral_layout(graph, data, 1, 2, rng, 2);
    EXPECT_FALSE(layout.random_fallback);
    expect_laplacian_eigenvectors(graph, layout.coordinates, 2);
}

TEST(ConnectedComponents, LabelsInOrderOfLowestVertex) {
    // Two paths: {0, 2, 4} and {1, 3}.
    SparseGraph graph;
    graph.n_rows = 5;
    graph.n_cols = 5;
    graph.row_offsets = {0, 1, 2, 4, 5, 6};
    graph.columns = {2, 3, 0, 4, 1, 2};
    graph.weights = {1, 1, 1, 1, 1, 1};
    const Components components = connected_components(graph);
    EXPECT_EQ(components.count, 2u);
    EXPECT_EQ(components.labels, (std::vector<std::int32_t>{0, 1, 0, 1, 0}));
}

TEST(SpectralLayout, SeparatesComponentsAroundUnitVectors) {
    // Three paths of 50 vertices: three components, at most 2 * dim = 4, so umap-learn
    // places them at +e1, +e2 and -e1, each within half the distance to the nearest other.
    SparseGraph graph;
    graph.n_rows = 150;
    graph.n_cols = 150;
    graph.row_offsets.push_back(0);
    for (std::size_t i = 0; i < 150; ++i) {
        if (i % 50 != 0) {
            graph.columns.push_back(static_cast<std::int32_t>(i - 1));
            graph.weights.push_back(1.0f);
        }
        if (i % 50 != 49) {
            graph.columns.push_back(static_cast<std::int32_t>(i + 1));
            graph.weights.push_back(1.0f);
        }
        graph.row_offsets.push_back(static_cast<std::int64_t>(graph.columns.size()));
    }
    Rng rng(3);
    const std::vector<float> data(150, 0.0f);
    const SpectralLayout layout = spectral_layout(graph, data, 1, 2, rng, 1);
    EXPECT_EQ(layout.components, 3u);
    // Each component is scaled so that its largest absolute coordinate is half the
    // distance to the nearest other centre (sqrt(2) / 2 here).
    const double centres[3][2] = {{1, 0}, {0, 1}, {-1, 0}};
    const double half_side = std::sqrt(2.0) / 2.0;
    for (std::size_t i = 0; i < 150; ++i) {
        const auto& centre = centres[i / 50];
        EXPECT_LE(std::fabs(layout.coordinates[2 * i] - centre[0]), half_side + 1e-9) << i;
        EXPECT_LE(std::fabs(layout.coordinates[2 * i + 1] - centre[1]), half_side + 1e-9) << i;
    }
}

TEST(FastPow, RelativeErrorBelowFourPpm) {
    for (const float exponent : {0.8950609f, -0.1049391f, 1.3341670f, 0.5f}) {
        for (float x = 1e-6f; x < 1e6f; x *= 1.37f) {
            const double expected = std::pow(static_cast<double>(x), static_cast<double>(exponent));
            // The float product y * log2(x) limits the accuracy: |y log2 x| reaches 18 here,
            // whose float rounding alone is 1e-6 relative after exponentiation.
            EXPECT_NEAR(fast_pow(x, exponent), expected, 4e-6 * expected) << x << "^" << exponent;
            const FloatVector lanes = {x,        2.0f * x,  0.5f * x, 3.0f * x,
                                       4.0f * x, 0.25f * x, 8.0f * x, 0.125f * x};
            const FloatVector powers = fast_pow(lanes, exponent);
            for (int lane = 0; lane < vector_lanes; ++lane) {
                const double reference =
                    std::pow(static_cast<double>(lanes[lane]), static_cast<double>(exponent));
                EXPECT_NEAR(powers[lane], reference, 4e-6 * reference) << lanes[lane];
            }
        }
    }
    EXPECT_EQ(fast_pow(0.0f, 0.9f), 0.0f);
}

TEST(LayoutEdges, DropsWeakEdgesAndSetsPeriods) {
    SparseGraph graph;
    graph.n_rows = 2;
    graph.n_cols = 3;
    graph.row_offsets = {0, 2, 3};
    graph.columns = {0, 2, 1};
    graph.weights = {1.0f, 0.004f, 0.25f};
    const SparseGraph kept = drop_weak_edges(graph, 200);  // threshold 1 / 200 = 0.005
    EXPECT_EQ(kept.nnz(), 2u);
    const LayoutEdges edges = make_layout_edges(kept);
    EXPECT_EQ(edges.head, (std::vector<std::int32_t>{0, 1}));
    EXPECT_EQ(edges.tail, (std::vector<std::int32_t>{0, 1}));
    EXPECT_FLOAT_EQ(edges.epochs_per_sample[0], 1.0f);
    EXPECT_FLOAT_EQ(edges.epochs_per_sample[1], 4.0f);
}

TEST(OptimizeLayout, PullsNeighboursTogether) {
    // Two points joined by an edge, far apart, with no repulsion: SGD draws them together.
    SparseGraph graph;
    graph.n_rows = 2;
    graph.n_cols = 2;
    graph.row_offsets = {0, 1, 2};
    graph.columns = {1, 0};
    graph.weights = {1.0f, 1.0f};
    std::vector<float> embedding = {0.0f, 0.0f, 8.0f, 6.0f};
    LayoutParameters parameters;
    parameters.negative_sample_rate = 0;
    parameters.n_epochs = 50;
    optimize_layout(embedding, embedding, 2, make_layout_edges(graph), parameters, Rng(1), 1);
    const double distance = std::hypot(embedding[2] - embedding[0], embedding[3] - embedding[1]);
    EXPECT_LT(distance, 1.0);
}

TEST(OptimizeLayout, AvxMatchesPlainPath) {
    // A 30 x 30 grid with uneven weights (so the edges have different sampling periods) and
    // a scattered start, laid out in 2 dimensions (the specialised code) and 3 (the general
    // one). On a CPU without AVX2 both runs take the plain path and the test still holds.
    SparseGraph graph = grid_graph(30);
    for (std::size_t e = 0; e < graph.weights.size(); ++e) {
        graph.weights[e] = 0.2f + 0.8f * static_cast<float>((e * 37) % 11) / 10.0f;
    }
    const LayoutEdges edges = make_layout_edges(graph);
    for (const std::size_t dim : {std::size_t{2}, std::size_t{3}}) {
        Rng start(7);
        std::vector<float> initial(graph.n_rows * dim);
        for (float& value : initial) {
            value = start.uniform(-10.0f, 10.0f);
        }
        std::vector<float> plain = initial;
        std::vector<float> vector = initial;
        LayoutParameters parameters;
        parameters.n_epochs = 60;
        parameters.use_avx2 = false;
        optimize_layout(plain, plain, dim, edges, parameters, Rng(3), 1);
        parameters.use_avx2 = true;
        optimize_layout(vector, vector, dim, edges, parameters, Rng(3), 1);
        EXPECT_NE(plain, initial) << "dim " << dim;
        EXPECT_EQ(std::memcmp(plain.data(), vector.data(), plain.size() * sizeof(float)), 0)
            << "dim " << dim;
        for (const float value : plain) {
            ASSERT_TRUE(std::isfinite(value)) << "dim " << dim;
        }
    }
}

}  // namespace
}  // namespace uadscope::umap
