#include "neighbors/clustered_search.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

#include "core/error.h"
#include "core/log.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "core/random.h"
#include "neighbors/blas_threads.h"
#include "neighbors/exact_search.h"
#include "neighbors/l2_distance.h"
#include "neighbors/pca_projection.h"

namespace uadscope::neighbors::detail {
namespace {

// k-means trains on this many sampled rows per list, for this many Lloyd iterations.
constexpr std::size_t training_rows_per_list = 32;
constexpr int lloyd_iterations = 8;
// Lists searched per query are chosen among each list's nearest lists, at most this many.
constexpr std::size_t max_probe_width = 64;
constexpr std::size_t max_lists = 4096;
// Rows per block of the nearest-centroid assignment.
constexpr std::size_t assign_block_rows = 1024;
constexpr std::size_t progress_min_rows = 50000;
// Seed streams of the k-means sample and initialisation and of the recall sample.
constexpr std::uint64_t kmeans_stream = 11;
constexpr std::uint64_t recall_stream = 12;

// Copies the rows at `positions` of `rows` ([*, width]) into `gathered` [positions, width]
// and their squared norms (from `norms`) into `gathered_norms`.
void gather_rows(const std::vector<float>& rows, const std::vector<float>& norms, std::size_t width,
                 const std::vector<std::int64_t>& positions, std::vector<float>& gathered,
                 std::vector<float>& gathered_norms) {
    gathered.resize(positions.size() * width);
    gathered_norms.resize(positions.size());
    for (std::size_t r = 0; r < positions.size(); ++r) {
        const auto position = static_cast<std::size_t>(positions[r]);
        std::copy_n(rows.begin() + static_cast<std::ptrdiff_t>(position * width), width,
                    gathered.begin() + static_cast<std::ptrdiff_t>(r * width));
        gathered_norms[r] = norms[position];
    }
}

// The k nearest other rows of the rows at `positions` of `rows` ([m, width], squared norms
// `norms`), as positions in `rows` [positions, k], by sgemm in blocks of 32 sampled rows.
std::vector<std::int32_t> sampled_neighbours(const std::vector<float>& rows,
                                             const std::vector<float>& norms, std::size_t m,
                                             std::size_t width,
                                             const std::vector<std::int64_t>& positions,
                                             std::size_t k, int jobs) {
    const std::size_t samples = positions.size();
    std::vector<float> queries;
    std::vector<float> query_norms;
    gather_rows(rows, norms, width, positions, queries, query_norms);
    std::vector<std::int32_t> neighbours(samples * k);
    std::vector<float> distances(samples * k);
    const SingleThreadedBlas single_threaded_blas;
    constexpr std::size_t sample_block = 32;
    parallel_for((samples + sample_block - 1) / sample_block, jobs, [&](std::size_t block, int) {
        const std::size_t first = block * sample_block;
        const std::size_t count = std::min(samples, first + sample_block) - first;
        search_rows(queries.data() + first * width, query_norms.data() + first, count, rows.data(),
                    norms.data(), m, width, static_cast<int>(k), positions.data() + first,
                    neighbours.data() + first * k, distances.data() + first * k);
    });
    return neighbours;
}

// Returns the nearest of `lists` centroids ([lists, d], squared norms centroid_norms) for each of
// `count` rows, by sgemm blocks on `jobs` threads.
std::vector<std::int32_t> nearest_centroids(const float* rows, std::size_t count, std::size_t d,
                                            const std::vector<float>& centroids,
                                            const std::vector<float>& centroid_norms, int jobs) {
    const std::size_t lists = centroid_norms.size();
    std::vector<std::int32_t> labels(count);
    const SingleThreadedBlas single_threaded_blas;
    const std::size_t blocks = (count + assign_block_rows - 1) / assign_block_rows;
    parallel_for(blocks, jobs, [&](std::size_t block, int) {
        const std::size_t first = block * assign_block_rows;
        const std::size_t block_count = std::min(count, first + assign_block_rows) - first;
        std::vector<float> products(block_count * lists);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(block_count),
                    static_cast<int>(lists), static_cast<int>(d), 1.0f, rows + first * d,
                    static_cast<int>(d), centroids.data(), static_cast<int>(d), 0.0f,
                    products.data(), static_cast<int>(lists));
        for (std::size_t i = 0; i < block_count; ++i) {
            // |x - c|^2 - |x|^2 = |c|^2 - 2 x.c ranks the centroids of row x.
            const float* product_row = products.data() + i * lists;
            std::size_t best = 0;
            float best_value = std::numeric_limits<float>::infinity();
            for (std::size_t c = 0; c < lists; ++c) {
                const float value = centroid_norms[c] - 2.0f * product_row[c];
                if (value < best_value) {
                    best_value = value;
                    best = c;
                }
            }
            labels[first + i] = static_cast<std::int32_t>(best);
        }
    });
    return labels;
}

// Trains centroids by k-means++ seeding (Arthur and Vassilvitskii 2007) and Lloyd iterations on
// `count` rows.
std::vector<float> train_centroids(const std::vector<float>& sample, std::size_t count,
                                   std::size_t d, std::size_t lists, Rng& rng, int jobs) {
    const SquaredL2Function kernel = squared_l2_kernel();
    std::vector<float> centroids(lists * d);
    std::vector<double> nearest(count, std::numeric_limits<double>::infinity());
    std::size_t chosen = static_cast<std::size_t>(rng.uniform_int(count));
    constexpr std::size_t chunk = 4096;
    const std::size_t chunks = (count + chunk - 1) / chunk;
    for (std::size_t c = 0; c < lists; ++c) {
        std::copy_n(sample.begin() + static_cast<std::ptrdiff_t>(chosen * d), d,
                    centroids.begin() + static_cast<std::ptrdiff_t>(c * d));
        const float* centre = centroids.data() + c * d;
        parallel_for(chunks, jobs, [&](std::size_t part, int) {
            const std::size_t end = std::min(count, (part + 1) * chunk);
            for (std::size_t i = part * chunk; i < end; ++i) {
                nearest[i] = std::min(
                    nearest[i], static_cast<double>(kernel(sample.data() + i * d, centre, d)));
            }
        });
        if (c + 1 == lists) {
            break;
        }
        const double total = std::accumulate(nearest.begin(), nearest.end(), 0.0);
        if (!(total > 0.0)) {
            // Fewer distinct rows than lists: the remaining centroids repeat a row.
            chosen = static_cast<std::size_t>(rng.uniform_int(count));
            continue;
        }
        double target = rng.uniform01() * total;
        chosen = count - 1;
        for (std::size_t i = 0; i < count; ++i) {
            target -= nearest[i];
            if (target < 0.0) {
                chosen = i;
                break;
            }
        }
    }

    std::vector<double> sums(lists * d);
    std::vector<std::size_t> members(lists);
    std::vector<float> norms(lists);
    for (int iteration = 0; iteration < lloyd_iterations; ++iteration) {
        norms = squared_norms(centroids, lists, d);
        const std::vector<std::int32_t> labels =
            nearest_centroids(sample.data(), count, d, centroids, norms, jobs);
        std::fill(sums.begin(), sums.end(), 0.0);
        std::fill(members.begin(), members.end(), 0);
        for (std::size_t i = 0; i < count; ++i) {
            const auto c = static_cast<std::size_t>(labels[i]);
            ++members[c];
            for (std::size_t j = 0; j < d; ++j) {
                sums[c * d + j] += sample[i * d + j];
            }
        }
        // An empty list keeps its centroid.
        for (std::size_t c = 0; c < lists; ++c) {
            if (members[c] > 0) {
                for (std::size_t j = 0; j < d; ++j) {
                    centroids[c * d + j] =
                        static_cast<float>(sums[c * d + j] / static_cast<double>(members[c]));
                }
            }
        }
    }
    return centroids;
}

}  // namespace

ClusteredIndex::ClusteredIndex(std::span<const float> data, std::size_t n, std::size_t d,
                               const KnnOptions& options, int recall_k)
    : n_(n), d_(d) {
    UADSCOPE_ASSERT(data.size() == n * d && n >= 2 && d >= 1);
    const ClusteredOptions& settings = options.clustered;
    const int jobs = resolve_jobs(options.jobs);
    const std::size_t lists = std::clamp<std::size_t>(
        (n + settings.list_rows / 2) / std::max<std::size_t>(settings.list_rows, 1), 1, max_lists);

    // Centre by the column means, which keeps the norms small for the sgemm distances.
    mean_ = column_means(data, n, d);
    constexpr std::size_t chunk = 4096;

    // k-means on a sample of centred rows.
    Rng rng = Rng(options.seed).fork(kmeans_stream);
    const std::size_t training = std::min(n, lists * training_rows_per_list);
    std::vector<std::size_t> picked(n);
    std::iota(picked.begin(), picked.end(), std::size_t{0});
    for (std::size_t i = 0; i < training; ++i) {
        const std::size_t j = i + static_cast<std::size_t>(rng.uniform_int(n - i));
        std::swap(picked[i], picked[j]);
    }
    std::vector<float> sample(training * d);
    for (std::size_t i = 0; i < training; ++i) {
        for (std::size_t j = 0; j < d; ++j) {
            sample[i * d + j] = data[picked[i] * d + j] - mean_[j];
        }
    }
    picked = {};
    centroids_ = train_centroids(sample, training, d, lists, rng, jobs);
    centroid_norms_ = squared_norms(centroids_, lists, d);
    sample = {};

    // Every row to its nearest centroid (compared in the input's coordinates, so that no
    // centred copy of the whole input is needed), then the centred rows in list order.
    std::vector<std::int32_t> labels;
    {
        std::vector<float> shifted = centroids_;
        for (std::size_t c = 0; c < lists; ++c) {
            for (std::size_t j = 0; j < d; ++j) {
                shifted[c * d + j] += mean_[j];
            }
        }
        labels =
            nearest_centroids(data.data(), n, d, shifted, squared_norms(shifted, lists, d), jobs);
    }
    list_offsets_.assign(lists + 1, 0);
    for (const std::int32_t label : labels) {
        ++list_offsets_[static_cast<std::size_t>(label) + 1];
    }
    std::partial_sum(list_offsets_.begin(), list_offsets_.end(), list_offsets_.begin());
    row_of_.resize(n);
    {
        std::vector<std::int64_t> next(list_offsets_.begin(), list_offsets_.end() - 1);
        for (std::size_t i = 0; i < n; ++i) {
            row_of_[static_cast<std::size_t>(next[static_cast<std::size_t>(labels[i])]++)] =
                static_cast<std::int32_t>(i);
        }
    }
    labels = {};
    rows_.resize(n * d);
    parallel_for((n + chunk - 1) / chunk, jobs, [&](std::size_t part, int) {
        const std::size_t end = std::min(n, (part + 1) * chunk);
        for (std::size_t p = part * chunk; p < end; ++p) {
            const float* source = data.data() + static_cast<std::size_t>(row_of_[p]) * d;
            float* target = rows_.data() + p * d;
            for (std::size_t j = 0; j < d; ++j) {
                target[j] = source[j] - mean_[j];
            }
        }
    });
    norms_ = squared_norms(rows_, n, d);

    // Each list's nearest lists by centroid distance, itself first.
    const SquaredL2Function kernel = squared_l2_kernel();
    probe_width_ = std::min(lists, max_probe_width);
    probe_order_.resize(lists * probe_width_);
    parallel_for(lists, jobs, [&](std::size_t list, int) {
        std::vector<std::pair<float, std::int32_t>> order(lists);
        for (std::size_t other = 0; other < lists; ++other) {
            const float distance = other == list ? -1.0f
                                                 : kernel(centroids_.data() + list * d,
                                                          centroids_.data() + other * d, d);
            order[other] = {distance, static_cast<std::int32_t>(other)};
        }
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(probe_width_),
                          order.end());
        for (std::size_t r = 0; r < probe_width_; ++r) {
            probe_order_[list * probe_width_ + r] = order[r].second;
        }
    });

    // Exact neighbours of sampled rows against all rows. The recall of searching P lists is
    // the fraction of those neighbours whose list is among the first P of the row's list.
    const std::size_t sample_size = std::min(n, std::max<std::size_t>(options.recall_sample, 64));
    const int k = std::min(recall_k, static_cast<int>(n - 1));
    Rng recall_rng = Rng(options.seed).fork(recall_stream);
    std::vector<std::int64_t> positions(sample_size);
    for (std::size_t s = 0; s < sample_size; ++s) {
        positions[s] = sample_size == n ? static_cast<std::int64_t>(s)
                                        : static_cast<std::int64_t>(recall_rng.uniform_int(n));
    }
    const auto k_size = static_cast<std::size_t>(k);
    const std::vector<std::int32_t> neighbours =
        sampled_neighbours(rows_, norms_, n, d, positions, k_size, jobs);
    choose_projection(data, options, positions, neighbours, k_size, jobs);

    const auto list_of = [&](std::size_t position) {
        return static_cast<std::size_t>(std::upper_bound(list_offsets_.begin(), list_offsets_.end(),
                                                         static_cast<std::int64_t>(position)) -
                                        list_offsets_.begin() - 1);
    };
    std::vector<std::size_t> found_at_rank(probe_width_ + 1, 0);
    for (std::size_t s = 0; s < sample_size; ++s) {
        const std::size_t home = list_of(static_cast<std::size_t>(positions[s]));
        const std::int32_t* order = probe_order_.data() + home * probe_width_;
        for (std::size_t j = 0; j < k_size; ++j) {
            const auto list = static_cast<std::int32_t>(
                list_of(static_cast<std::size_t>(neighbours[s * k_size + j])));
            const auto rank =
                static_cast<std::size_t>(std::find(order, order + probe_width_, list) - order);
            ++found_at_rank[rank];
        }
    }
    const auto total = static_cast<double>(sample_size * k_size);
    std::size_t found = 0;
    probes_ = probe_width_;
    sample_recall_ = 0.0;
    bool reached = false;
    for (std::size_t p = 1; p <= probe_width_; ++p) {
        found += found_at_rank[p - 1];
        sample_recall_ = static_cast<double>(found) / total;
        if (sample_recall_ >= settings.min_recall) {
            probes_ = p;
            reached = true;
            break;
        }
    }

    double pairs = 0.0;
    for (std::size_t list = 0; list < lists; ++list) {
        double candidates = 0.0;
        for (std::size_t r = 0; r < probes_; ++r) {
            const auto other = static_cast<std::size_t>(probe_order_[list * probe_width_ + r]);
            candidates += static_cast<double>(list_offsets_[other + 1] - list_offsets_[other]);
        }
        pairs += candidates * static_cast<double>(list_offsets_[list + 1] - list_offsets_[list]);
    }
    candidates_per_query_ = pairs / static_cast<double>(n);
    worthwhile_ = reached && candidates_per_query_ <= static_cast<double>(settings.max_candidates);
    spdlog::info(
        "kNN lists: {} k-means lists of {} rows on average; searching the {} nearest lists of "
        "each finds {:.3f} of the exact neighbours (k = {}) of {} sampled rows, {:.0f} candidate "
        "rows per query",
        lists, n / lists, probes_, sample_recall_, k, sample_size, candidates_per_query_);
}

namespace {

// Fraction of the exact neighbours [samples, k] of the rows at `positions` of `projected`
// ([m, p]) that are among their `candidates` nearest other rows of `projected`.
double projected_recall(const std::vector<float>& projected, std::size_t m, std::size_t p,
                        const std::vector<std::int64_t>& positions,
                        const std::vector<std::int32_t>& neighbours, std::size_t k,
                        std::size_t candidates, int jobs) {
    const std::size_t samples = positions.size();
    const std::vector<std::int32_t> found = sampled_neighbours(
        projected, squared_norms(projected, m, p), m, p, positions, candidates, jobs);
    double hits = 0.0;
    for (std::size_t s = 0; s < samples; ++s) {
        const auto begin = found.begin() + static_cast<std::ptrdiff_t>(s * candidates);
        std::vector<std::int32_t> kept(begin, begin + static_cast<std::ptrdiff_t>(candidates));
        std::sort(kept.begin(), kept.end());
        for (std::size_t j = 0; j < k; ++j) {
            hits += std::binary_search(kept.begin(), kept.end(), neighbours[s * k + j]) ? 1.0 : 0.0;
        }
    }
    return hits / static_cast<double>(samples * k);
}

}  // namespace

void ClusteredIndex::choose_projection(std::span<const float> data, const KnnOptions& options,
                                       const std::vector<std::int64_t>& positions,
                                       const std::vector<std::int32_t>& neighbours, std::size_t k,
                                       int jobs) {
    const auto p = static_cast<std::size_t>(std::max(options.hnsw.projection_dims, 0));
    const std::size_t samples = positions.size();
    const std::size_t candidates =
        std::min(n_ - 1, k + static_cast<std::size_t>(std::max(options.hnsw.rerank_extra, 0)));
    if (p == 0 || d_ <= 2 * p || n_ <= candidates + 1 || samples == 0) {
        return;
    }
    const double min_recall = options.hnsw.projection_min_recall;
    PcaProjection fitted = fit_pca(data, n_, d_, p, jobs);
    // rows_ are centred by mean_; shifting the projection's mean by it gives each row the
    // projection of its input row.
    for (std::size_t j = 0; j < d_; ++j) {
        fitted.mean[j] -= mean_[j];
    }
    const auto report = [&](double recall, std::size_t rows, bool keep) {
        spdlog::info(
            "kNN lists: {} principal components keep {:.1f}% of the variance and {:.3f} of the "
            "exact neighbours (k = {}) of {} sampled rows among their {} nearest of {} rows in "
            "the projection; {}",
            p, 100.0 * fitted.retained_variance, recall, k, samples, candidates, rows,
            keep ? "the lists are searched in the projection and re-ranked in all columns"
                 : fmt::format("below {}, so the lists are searched in all columns", min_recall));
    };

    // A first check on every step-th row, which costs a fraction of projecting every row:
    // data whose neighbours the projection loses (isotropic noise) stop here.
    constexpr std::size_t check_rows = 10000;
    if (n_ > 2 * check_rows) {
        const std::size_t step = n_ / check_rows;
        const std::size_t m = n_ / step;
        std::vector<float> subset(m * d_);
        for (std::size_t i = 0; i < m; ++i) {
            std::copy_n(rows_.begin() + static_cast<std::ptrdiff_t>(i * step * d_), d_,
                        subset.begin() + static_cast<std::ptrdiff_t>(i * d_));
        }
        const std::vector<float> subset_norms = squared_norms(subset, m, d_);
        std::vector<std::int64_t> picked(samples);
        for (std::size_t s = 0; s < samples; ++s) {
            picked[s] = static_cast<std::int64_t>(s * m / samples);
        }
        const std::vector<std::int32_t> exact =
            sampled_neighbours(subset, subset_norms, m, d_, picked, k, jobs);
        std::vector<float> projected;
        {
            const SingleThreadedBlas single_threaded_blas;
            projected = project_rows(fitted, subset, m, jobs);
        }
        const double recall = projected_recall(projected, m, p, picked, exact, k, candidates, jobs);
        if (recall < min_recall) {
            report(recall, m, false);
            return;
        }
    }

    std::vector<float> projected;
    {
        const SingleThreadedBlas single_threaded_blas;
        projected = project_rows(fitted, rows_, n_, jobs);
    }
    const double recall =
        projected_recall(projected, n_, p, positions, neighbours, k, candidates, jobs);
    const bool keep = recall >= min_recall;
    report(recall, n_, keep);
    if (keep) {
        projected_norms_ = squared_norms(projected, n_, p);
        projection_ = std::move(fitted);
        projected_ = std::move(projected);
        rerank_extra_ = static_cast<int>(candidates - k);
    }
}

std::vector<std::int32_t> ClusteredIndex::probe_lists(std::size_t list, std::size_t minimum) const {
    std::vector<std::int32_t> result;
    std::size_t rows = 0;
    const std::int32_t* order = probe_order_.data() + list * probe_width_;
    for (std::size_t r = 0; r < probe_width_ && (r < probes_ || rows < minimum); ++r) {
        const auto other = static_cast<std::size_t>(order[r]);
        result.push_back(order[r]);
        rows += static_cast<std::size_t>(list_offsets_[other + 1] - list_offsets_[other]);
    }
    if (rows < minimum) {
        // The nearest lists hold too few rows (tiny lists), so every list is searched.
        result.resize(lists());
        std::iota(result.begin(), result.end(), 0);
        std::swap(result[0], result[list]);
    }
    return result;
}

void ClusteredIndex::search_list(std::size_t list, const float* queries, const float* query_norms,
                                 const float* projected, const float* projected_norms,
                                 std::size_t count, int k, const std::int64_t* self_positions,
                                 std::int32_t* indices, float* distances) const {
    const auto k_size = static_cast<std::size_t>(k);
    const std::vector<std::int32_t> probed =
        probe_lists(list, k_size + (self_positions != nullptr ? 1 : 0));
    // The candidate rows, gathered: position of local row r is positions[r].
    std::vector<std::int64_t> positions;
    for (const std::int32_t other : probed) {
        for (auto p = list_offsets_[static_cast<std::size_t>(other)];
             p < list_offsets_[static_cast<std::size_t>(other) + 1]; ++p) {
            positions.push_back(p);
        }
    }
    const std::size_t candidates = positions.size();
    // Searched in the projection when there is one, else in all columns.
    const std::size_t width = projection_.p > 0 ? projection_.p : d_;
    const std::vector<float>& source = projection_.p > 0 ? projected_ : rows_;
    const std::vector<float>& source_norms = projection_.p > 0 ? projected_norms_ : norms_;
    std::vector<float> reference;
    std::vector<float> reference_norms;
    gather_rows(source, source_norms, width, positions, reference, reference_norms);
    std::vector<std::int64_t> excluded;
    if (self_positions != nullptr) {
        // The list's own rows come first among the candidates.
        const std::int64_t first = list_offsets_[list];
        excluded.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            excluded[i] = self_positions[i] - first;
        }
    }
    const std::int64_t* skip = excluded.empty() ? nullptr : excluded.data();
    if (projection_.p == 0) {
        search_rows(queries, query_norms, count, reference.data(), reference_norms.data(),
                    candidates, d_, k, skip, indices, distances);
    } else {
        // The nearest candidates in the projection, re-ranked by exact distances in all
        // columns; ties go to the lower candidate.
        const std::size_t available = skip == nullptr ? candidates : candidates - 1;
        const std::size_t kept =
            std::min(available, k_size + static_cast<std::size_t>(rerank_extra_));
        std::vector<std::int32_t> found(count * kept);
        std::vector<float> found_distances(count * kept);
        search_rows(projected, projected_norms, count, reference.data(), reference_norms.data(),
                    candidates, width, static_cast<int>(kept), skip, found.data(),
                    found_distances.data());
        std::vector<std::pair<double, std::int32_t>> ranked(kept);
        for (std::size_t i = 0; i < count; ++i) {
            const float* query = queries + i * d_;
            for (std::size_t j = 0; j < kept; ++j) {
                const std::int32_t local = found[i * kept + j];
                const auto p = static_cast<std::size_t>(positions[static_cast<std::size_t>(local)]);
                ranked[j] = {exact_squared_distance(query, rows_.data() + p * d_, d_), local};
            }
            write_nearest(ranked, k_size, indices + i * k_size, distances + i * k_size);
        }
    }
    for (std::size_t e = 0; e < count * k_size; ++e) {
        indices[e] =
            row_of_[static_cast<std::size_t>(positions[static_cast<std::size_t>(indices[e])])];
    }
}

KnnGraph ClusteredIndex::self_graph(int k, int jobs) const {
    UADSCOPE_ASSERT(k >= 1 && static_cast<std::size_t>(k) < n_);
    const auto k_size = static_cast<std::size_t>(k);
    KnnGraph graph;
    graph.n = n_;
    graph.k = k;
    graph.method = KnnMethod::clustered;
    graph.indices.resize(n_ * k_size);
    graph.distances.resize(n_ * k_size);

    std::unique_ptr<Progress> progress;
    if (n_ >= progress_min_rows) {
        progress = std::make_unique<Progress>("kNN list search", n_);
    }
    const SingleThreadedBlas single_threaded_blas;
    parallel_for(lists(), resolve_jobs(jobs), [&](std::size_t list, int) {
        const auto first = static_cast<std::size_t>(list_offsets_[list]);
        const std::size_t count = static_cast<std::size_t>(list_offsets_[list + 1]) - first;
        if (count == 0) {
            return;
        }
        std::vector<std::int64_t> self(count);
        std::iota(self.begin(), self.end(), static_cast<std::int64_t>(first));
        std::vector<std::int32_t> indices(count * k_size);
        std::vector<float> distances(count * k_size);
        const std::size_t p = projection_.p;
        search_list(list, rows_.data() + first * d_, norms_.data() + first,
                    p > 0 ? projected_.data() + first * p : nullptr,
                    p > 0 ? projected_norms_.data() + first : nullptr, count, k, self.data(),
                    indices.data(), distances.data());
        for (std::size_t i = 0; i < count; ++i) {
            const auto row = static_cast<std::size_t>(row_of_[first + i]);
            std::copy_n(indices.begin() + static_cast<std::ptrdiff_t>(i * k_size), k_size,
                        graph.indices.begin() + static_cast<std::ptrdiff_t>(row * k_size));
            std::copy_n(distances.begin() + static_cast<std::ptrdiff_t>(i * k_size), k_size,
                        graph.distances.begin() + static_cast<std::ptrdiff_t>(row * k_size));
        }
        if (progress) {
            progress->advance(count);
        }
    });
    return graph;
}

KnnGraph ClusteredIndex::query(std::span<const float> queries, std::size_t n_queries, int k,
                               int jobs) const {
    UADSCOPE_ASSERT(queries.size() == n_queries * d_);
    UADSCOPE_ASSERT(k >= 1 && static_cast<std::size_t>(k) <= n_);
    const auto k_size = static_cast<std::size_t>(k);
    const int threads = resolve_jobs(jobs);
    KnnGraph graph;
    graph.n = n_queries;
    graph.k = k;
    graph.method = KnnMethod::clustered;
    graph.indices.resize(n_queries * k_size);
    graph.distances.resize(n_queries * k_size);

    std::vector<float> centred(queries.begin(), queries.end());
    for (std::size_t i = 0; i < n_queries; ++i) {
        for (std::size_t j = 0; j < d_; ++j) {
            centred[i * d_ + j] -= mean_[j];
        }
    }
    const std::vector<std::int32_t> labels =
        nearest_centroids(centred.data(), n_queries, d_, centroids_, centroid_norms_, threads);
    // The queries grouped by list.
    std::vector<std::size_t> offsets(lists() + 1, 0);
    for (const std::int32_t label : labels) {
        ++offsets[static_cast<std::size_t>(label) + 1];
    }
    std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
    std::vector<std::size_t> query_of(n_queries);
    {
        std::vector<std::size_t> next(offsets.begin(), offsets.end() - 1);
        for (std::size_t i = 0; i < n_queries; ++i) {
            query_of[next[static_cast<std::size_t>(labels[i])]++] = i;
        }
    }

    const SingleThreadedBlas single_threaded_blas;
    parallel_for(lists(), threads, [&](std::size_t list, int) {
        const std::size_t count = offsets[list + 1] - offsets[list];
        if (count == 0) {
            return;
        }
        std::vector<float> grouped(count * d_);
        for (std::size_t i = 0; i < count; ++i) {
            std::copy_n(
                centred.begin() + static_cast<std::ptrdiff_t>(query_of[offsets[list] + i] * d_), d_,
                grouped.begin() + static_cast<std::ptrdiff_t>(i * d_));
        }
        const std::vector<float> norms = squared_norms(grouped, count, d_);
        std::vector<float> projected;
        std::vector<float> projected_norms;
        if (projection_.p > 0) {
            projected = project_rows(projection_, grouped, count, 1);
            projected_norms = squared_norms(projected, count, projection_.p);
        }
        std::vector<std::int32_t> indices(count * k_size);
        std::vector<float> distances(count * k_size);
        search_list(list, grouped.data(), norms.data(),
                    projected.empty() ? nullptr : projected.data(),
                    projected_norms.empty() ? nullptr : projected_norms.data(), count, k, nullptr,
                    indices.data(), distances.data());
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t row = query_of[offsets[list] + i];
            std::copy_n(indices.begin() + static_cast<std::ptrdiff_t>(i * k_size), k_size,
                        graph.indices.begin() + static_cast<std::ptrdiff_t>(row * k_size));
            std::copy_n(distances.begin() + static_cast<std::ptrdiff_t>(i * k_size), k_size,
                        graph.distances.begin() + static_cast<std::ptrdiff_t>(row * k_size));
        }
    });
    return graph;
}

}  // namespace uadscope::neighbors::detail
