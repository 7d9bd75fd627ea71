#include "neighbors/hnsw_search.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <utility>

#include "core/error.h"
#include "core/log.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "core/random.h"
#include "neighbors/blas_threads.h"
#include "neighbors/l2_distance.h"
#include "neighbors/pca_projection.h"

namespace uadscope::neighbors::detail {
namespace {

// Builds and searches of fewer rows than this run without a progress bar.
constexpr std::size_t progress_min_rows = 50000;
// Rows per task of the parallel loops.
constexpr std::size_t chunk_rows = 256;
// Rows sampled to decide whether the principal-component projection keeps the neighbours.
constexpr std::size_t projection_check_rows = 200;
// Neighbours per sampled row in that check (UMAP's default graph has 14).
constexpr std::size_t projection_check_k = 15;
// Largest absolute value of the centred rows after scaling for half precision: far below
// the half maximum of 65504, far above its smallest normal value of 6e-5.
constexpr float half_range = 1024.0f;

// Squared Euclidean distance between float vectors, for hnswlib.
class FloatSpace final : public hnswlib::SpaceInterface<float> {
  public:
    explicit FloatSpace(std::size_t d) : d_(d), kernel_(squared_l2_kernel()) {}

    size_t get_data_size() override { return d_ * sizeof(float); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return &FloatSpace::distance; }
    void* get_dist_func_param() override { return this; }

  private:
    static float distance(const void* a, const void* b, const void* param) {
        const auto* space = static_cast<const FloatSpace*>(param);
        return space->kernel_(static_cast<const float*>(a), static_cast<const float*>(b),
                              space->d_);
    }

    std::size_t d_;
    SquaredL2Function kernel_;
};

// Squared Euclidean distance between half-precision vectors, for hnswlib.
class HalfSpace final : public hnswlib::SpaceInterface<float> {
  public:
    explicit HalfSpace(std::size_t d) : d_(d), kernel_(squared_l2_half_kernel()) {
        UADSCOPE_ASSERT(kernel_ != nullptr);
    }

    size_t get_data_size() override { return d_ * sizeof(std::uint16_t); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return &HalfSpace::distance; }
    void* get_dist_func_param() override { return this; }

  private:
    static float distance(const void* a, const void* b, const void* param) {
        const auto* space = static_cast<const HalfSpace*>(param);
        return space->kernel_(static_cast<const std::uint16_t*>(a),
                              static_cast<const std::uint16_t*>(b), space->d_);
    }

    std::size_t d_;
    SquaredL2HalfFunction kernel_;
};

using Neighbour = std::pair<float, std::int64_t>;  // (squared distance, label)

// Converts hnswlib's max-heap into ascending order (ties by label), without `skip`.
std::vector<Neighbour> sorted_results(
    std::priority_queue<std::pair<float, hnswlib::labeltype>> heap, std::int64_t skip) {
    std::vector<Neighbour> result;
    result.reserve(heap.size());
    while (!heap.empty()) {
        const auto [distance, label] = heap.top();
        heap.pop();
        if (static_cast<std::int64_t>(label) != skip) {
            result.emplace_back(distance, static_cast<std::int64_t>(label));
        }
    }
    std::sort(result.begin(), result.end());
    return result;
}

// Keeps the `size` smallest (distance, label) pairs offered, as a max-heap.
class SmallestPairs {
  public:
    explicit SmallestPairs(std::size_t size) : size_(size) { heap_.reserve(size); }

    void offer(float distance, std::int64_t label) {
        if (heap_.size() < size_) {
            heap_.emplace_back(distance, label);
            std::push_heap(heap_.begin(), heap_.end());
        } else if (distance < heap_.front().first) {
            std::pop_heap(heap_.begin(), heap_.end());
            heap_.back() = {distance, label};
            std::push_heap(heap_.begin(), heap_.end());
        }
    }

    std::vector<std::int64_t> labels() const {
        std::vector<std::int64_t> result;
        for (const auto& pair : heap_) {
            result.push_back(pair.second);
        }
        std::sort(result.begin(), result.end());
        return result;
    }

  private:
    std::size_t size_;
    std::vector<Neighbour> heap_;
};

// Fraction of the exact k nearest rows of sampled rows that are among their `candidates`
// nearest rows in the projection. Brute force by groups of sampled rows that stream the
// data once per group.
double projection_recall(std::span<const float> data, std::size_t n, std::size_t d,
                         const std::vector<float>& projected, std::size_t p, std::size_t k,
                         std::size_t candidates, std::uint64_t seed, int jobs) {
    std::vector<std::size_t> rows(n);
    for (std::size_t i = 0; i < n; ++i) {
        rows[i] = i;
    }
    Rng rng(seed);
    rng.shuffle(std::span<std::size_t>(rows));
    rows.resize(std::min(n, projection_check_rows));

    const SquaredL2Function kernel = squared_l2_kernel();
    constexpr std::size_t group_rows = 25;
    constexpr std::size_t block_rows = 512;
    const std::size_t groups = (rows.size() + group_rows - 1) / group_rows;
    std::vector<double> found(rows.size(), 0.0);
    parallel_for(groups, jobs, [&](std::size_t group, int) {
        const std::size_t first = group * group_rows;
        const std::size_t count = std::min(rows.size(), first + group_rows) - first;
        std::vector<SmallestPairs> exact(count, SmallestPairs(k));
        std::vector<SmallestPairs> reduced(count, SmallestPairs(candidates));
        for (std::size_t block = 0; block < n; block += block_rows) {
            const std::size_t block_end = std::min(n, block + block_rows);
            for (std::size_t q = 0; q < count; ++q) {
                const std::size_t row = rows[first + q];
                for (std::size_t i = block; i < block_end; ++i) {
                    if (i == row) {
                        continue;
                    }
                    const auto label = static_cast<std::int64_t>(i);
                    exact[q].offer(kernel(data.data() + row * d, data.data() + i * d, d), label);
                    reduced[q].offer(
                        kernel(projected.data() + row * p, projected.data() + i * p, p), label);
                }
            }
        }
        for (std::size_t q = 0; q < count; ++q) {
            const auto kept = reduced[q].labels();
            double hits = 0.0;
            for (const std::int64_t label : exact[q].labels()) {
                hits += std::binary_search(kept.begin(), kept.end(), label) ? 1.0 : 0.0;
            }
            found[first + q] = hits / static_cast<double>(k);
        }
    });
    double total = 0.0;
    for (const double value : found) {
        total += value;
    }
    return total / static_cast<double>(rows.size());
}

}  // namespace

struct HnswIndex::State {
    enum class Storage { float32, float16, projected };

    HnswOptions options;
    std::size_t n = 0;
    std::size_t d = 0;
    Storage storage = Storage::float32;
    // Full rows for re-ranking and the exact fallback unless float32: `owned` or the
    // caller's data. With float32 storage the graph's own copy of each row serves.
    std::vector<float> owned;
    const float* full = nullptr;
    std::vector<hnswlib::tableint> internal_of_label;
    // Identical rows form a group, and only the first row of each group (its representative)
    // is indexed, because hnswlib links identical points poorly. group_of [n] is each row's
    // group; the members of group g are group_members[group_offsets[g]...] in row order.
    std::vector<std::int32_t> group_of;
    std::vector<std::int64_t> group_offsets;
    std::vector<std::int32_t> group_members;
    std::optional<PcaProjection> projection;
    // float16 storage contains (row - half_centre) * half_scale.
    std::vector<float> half_centre;
    float half_scale = 1.0f;
    std::unique_ptr<hnswlib::SpaceInterface<float>> space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
    // hnswlib keeps the search width in the graph, so one batch of searches runs at a time.
    std::mutex search_mutex;
    SquaredL2Function kernel = squared_l2_kernel();

    std::size_t search_bytes() const {
        switch (storage) {
            case Storage::float32:
                return d * sizeof(float);
            case Storage::float16:
                return d * sizeof(std::uint16_t);
            case Storage::projected:
                break;
        }
        return projection->p * sizeof(float);
    }

    // Converts `count` full rows into the indexed representation, search_bytes() each.
    // Callers running this on several threads hold a SingleThreadedBlas.
    std::vector<char> to_search(const float* rows, std::size_t count, int jobs) const {
        std::vector<char> result(count * search_bytes());
        if (storage == Storage::float32) {
            std::memcpy(result.data(), rows, result.size());
        } else if (storage == Storage::float16) {
            auto* halves = reinterpret_cast<std::uint16_t*>(result.data());
            std::vector<float> scaled(d);
            for (std::size_t i = 0; i < count; ++i) {
                for (std::size_t j = 0; j < d; ++j) {
                    scaled[j] = (rows[i * d + j] - half_centre[j]) * half_scale;
                }
                floats_to_half(scaled.data(), halves + i * d, d);
            }
        } else {
            const std::vector<float> projected =
                project_rows(*projection, std::span<const float>(rows, count * d), count, jobs);
            std::memcpy(result.data(), projected.data(), result.size());
        }
        return result;
    }

    const float* full_row(std::int64_t label) const {
        if (full != nullptr) {
            return full + static_cast<std::size_t>(label) * d;
        }
        const auto internal_id = internal_of_label[static_cast<std::size_t>(label)];
        return reinterpret_cast<const float*>(graph->getDataByInternalId(internal_id));
    }

    // Candidates a search collects before keeping k: more when the indexed distances are
    // approximate, to be re-ranked.
    std::size_t candidate_count(std::size_t k, std::size_t available) const {
        const std::size_t extra =
            storage == Storage::float32 ? 0 : static_cast<std::size_t>(options.rerank_extra);
        return std::min(available, k + extra);
    }

    std::size_t groups() const { return group_offsets.size() - 1; }

    std::span<const std::int32_t> members(std::size_t group) const {
        const auto begin = static_cast<std::size_t>(group_offsets[group]);
        const auto end = static_cast<std::size_t>(group_offsets[group + 1]);
        return {group_members.data() + begin, end - begin};
    }

    // Exact squared distances from a full-width query to every representative except
    // `skip`: the fallback for the rare search that returns too few rows.
    std::vector<Neighbour> brute_force(const float* query, std::int64_t skip) const {
        std::vector<Neighbour> result;
        result.reserve(groups());
        for (std::size_t g = 0; g < groups(); ++g) {
            const auto label = static_cast<std::int64_t>(members(g)[0]);
            if (label != skip) {
                result.emplace_back(kernel(query, full_row(label), d), label);
            }
        }
        std::sort(result.begin(), result.end());
        return result;
    }

    // The nearest representatives of one query, ascending by exact distance: `search_vector`
    // in the indexed representation, `query` in full. An indexed representative (`self`, its
    // internal id) starts the search in the base layer at itself; other queries descend the
    // layers from the entry point.
    std::vector<Neighbour> search_representatives(const void* search_vector, const float* query,
                                                  std::size_t candidates, std::int64_t skip,
                                                  std::optional<hnswlib::tableint> self) const {
        const std::size_t requested = candidates + (skip >= 0 ? 1 : 0);
        std::vector<Neighbour> found;
        if (self) {
            auto heap = graph->searchBaseLayerST<false, false>(*self, search_vector,
                                                               std::max(graph->ef_, requested));
            while (heap.size() > requested) {
                heap.pop();
            }
            std::priority_queue<std::pair<float, hnswlib::labeltype>> labelled;
            while (!heap.empty()) {
                labelled.emplace(heap.top().first, graph->getExternalLabel(heap.top().second));
                heap.pop();
            }
            found = sorted_results(std::move(labelled), skip);
        } else {
            found = sorted_results(graph->searchKnn(search_vector, requested), skip);
        }
        if (storage != Storage::float32) {
            for (auto& [distance, label] : found) {
                distance = kernel(query, full_row(label), d);
            }
            std::sort(found.begin(), found.end());
        }
        return found;
    }

    // Rows of the representatives `found` (ascending), each group's members at its
    // representative's distance, until `needed` rows. Returns fewer when `found` runs out.
    std::vector<Neighbour> expand(const std::vector<Neighbour>& found, std::size_t needed) const {
        std::vector<Neighbour> rows;
        for (const auto& [distance, label] : found) {
            const auto group = static_cast<std::size_t>(group_of[static_cast<std::size_t>(label)]);
            for (const std::int32_t member : members(group)) {
                if (rows.size() == needed) {
                    return rows;
                }
                rows.emplace_back(distance, member);
            }
        }
        return rows;
    }

    // The `needed` nearest rows outside the query's own group, ascending; the second member
    // is true when the exact fallback ran.
    std::pair<std::vector<Neighbour>, bool> search(const void* search_vector, const float* query,
                                                   std::size_t needed, std::size_t candidates,
                                                   std::int64_t skip,
                                                   std::optional<hnswlib::tableint> self) const {
        auto rows =
            expand(search_representatives(search_vector, query, candidates, skip, self), needed);
        if (rows.size() == needed) {
            return {std::move(rows), false};
        }
        return {expand(brute_force(query, skip), needed), true};
    }

    // Groups identical rows (equal bytes) by hashing them. Each group lists its rows in
    // increasing order, and groups are numbered in the order of their first rows.
    void group_rows(std::span<const float> data) {
        std::vector<std::pair<std::uint64_t, std::int32_t>> hashed(n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto* bytes = reinterpret_cast<const unsigned char*>(data.data() + i * d);
            std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a
            for (std::size_t b = 0; b < d * sizeof(float); ++b) {
                hash = (hash ^ bytes[b]) * 0x100000001b3ULL;
            }
            hashed[i] = {hash, static_cast<std::int32_t>(i)};
        }
        std::sort(hashed.begin(), hashed.end());
        group_of.assign(n, -1);
        std::vector<std::vector<std::int32_t>> lists;
        for (std::size_t i = 0; i < n; ++i) {
            const auto row = static_cast<std::size_t>(hashed[i].second);
            if (group_of[row] >= 0) {
                continue;
            }
            const auto group = static_cast<std::int32_t>(lists.size());
            lists.push_back({hashed[i].second});
            group_of[row] = group;
            for (std::size_t j = i + 1; j < n && hashed[j].first == hashed[i].first; ++j) {
                const auto other = static_cast<std::size_t>(hashed[j].second);
                if (group_of[other] < 0 &&
                    std::memcmp(data.data() + row * d, data.data() + other * d,
                                d * sizeof(float)) == 0) {
                    group_of[other] = group;
                    lists.back().push_back(hashed[j].second);
                }
            }
        }
        // Number the groups by their first rows, so that the grouping does not depend on the
        // hash order.
        std::vector<std::size_t> order(lists.size());
        for (std::size_t g = 0; g < lists.size(); ++g) {
            std::sort(lists[g].begin(), lists[g].end());
            order[g] = g;
        }
        std::sort(order.begin(), order.end(),
                  [&](std::size_t x, std::size_t y) { return lists[x][0] < lists[y][0]; });
        group_offsets.assign(1, 0);
        group_members.clear();
        group_members.reserve(n);
        for (std::size_t rank = 0; rank < order.size(); ++rank) {
            for (const std::int32_t row : lists[order[rank]]) {
                group_of[static_cast<std::size_t>(row)] = static_cast<std::int32_t>(rank);
                group_members.push_back(row);
            }
            group_offsets.push_back(static_cast<std::int64_t>(group_members.size()));
        }
    }

    // Chooses the storage: the projection when it keeps the neighbours of a sample, else
    // half precision when the CPU converts it, else float.
    void choose_storage(std::span<const float> data, const KnnOptions& knn_options) {
        const auto p = static_cast<std::size_t>(knn_options.hnsw.projection_dims);
        if (p > 0 && d > 2 * p && n > projection_check_rows) {
            PcaProjection fitted = fit_pca(data, n, d, p, knn_options.jobs);
            std::vector<float> sample_projection;
            {
                const SingleThreadedBlas single_threaded_blas;
                sample_projection = project_rows(fitted, data, n, knn_options.jobs);
            }
            const std::size_t k = std::min(projection_check_k, n - 1);
            projection = std::move(fitted);
            storage = Storage::projected;
            const double recall =
                projection_recall(data, n, d, sample_projection, p, k, candidate_count(k, n - 1),
                                  knn_options.seed, knn_options.jobs);
            spdlog::info(
                "HNSW: {} principal components keep {:.1f}% of the variance and {:.3f} of the "
                "exact neighbours among their candidates; {}",
                p, 100.0 * projection->retained_variance, recall,
                recall >= knn_options.hnsw.projection_min_recall
                    ? "the graph indexes the projection"
                    : fmt::format("below {}, so the graph indexes all columns",
                                  knn_options.hnsw.projection_min_recall));
            if (recall >= knn_options.hnsw.projection_min_recall) {
                return;
            }
            projection.reset();
            storage = Storage::float32;
        }
        if (knn_options.hnsw.half_precision && squared_l2_half_kernel() != nullptr) {
            storage = Storage::float16;
            half_centre.assign(d, 0.0f);
            std::vector<double> sum(d, 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = 0; j < d; ++j) {
                    sum[j] += data[i * d + j];
                }
            }
            for (std::size_t j = 0; j < d; ++j) {
                half_centre[j] = static_cast<float>(sum[j] / static_cast<double>(n));
            }
            float largest = 0.0f;
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = 0; j < d; ++j) {
                    largest = std::max(largest, std::fabs(data[i * d + j] - half_centre[j]));
                }
            }
            half_scale = largest > 0.0f ? half_range / largest : 1.0f;
        }
    }
};

HnswIndex::HnswIndex(std::span<const float> data, std::size_t n, std::size_t d,
                     const KnnOptions& options, bool copy_data)
    : state_(std::make_unique<State>()), n_(n), d_(d) {
    UADSCOPE_ASSERT(data.size() == n * d);
    UADSCOPE_ASSERT(n > 0);
    State& state = *state_;
    state.options = options.hnsw;
    state.n = n;
    state.d = d;
    state.choose_storage(data, options);
    if (state.storage != State::Storage::float32) {
        if (copy_data) {
            state.owned.assign(data.begin(), data.end());
            state.full = state.owned.data();
        } else {
            state.full = data.data();
        }
    }

    state.group_rows(data);
    const std::size_t unique = state.groups();
    std::vector<float> representatives;
    std::span<const float> unique_rows = data;
    if (unique < n) {
        representatives.resize(unique * d);
        for (std::size_t g = 0; g < unique; ++g) {
            const auto row = static_cast<std::size_t>(state.members(g)[0]);
            std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(row * d), d,
                        representatives.begin() + static_cast<std::ptrdiff_t>(g * d));
        }
        unique_rows = representatives;
        spdlog::debug("HNSW: {} of {} rows are copies of other rows and are not indexed",
                      n - unique, n);
    }
    std::vector<char> indexed;
    {
        const SingleThreadedBlas single_threaded_blas;
        indexed = state.to_search(unique_rows.data(), unique, options.jobs);
    }
    representatives = {};
    const std::size_t bytes = state.search_bytes();
    if (state.storage == State::Storage::float16) {
        state.space = std::make_unique<HalfSpace>(d);
    } else {
        state.space = std::make_unique<FloatSpace>(bytes / sizeof(float));
    }
    state.graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        state.space.get(), unique, static_cast<std::size_t>(options.hnsw.m),
        static_cast<std::size_t>(options.hnsw.ef_construction),
        static_cast<std::size_t>(options.seed % 0x7fffffffULL));

    // Labels are the representatives' rows. The first insertion sets the entry point, which
    // hnswlib does not guard against concurrent inserts; the others go in parallel.
    const auto label_of = [&](std::size_t g) {
        return static_cast<hnswlib::labeltype>(state.members(g)[0]);
    };
    state.graph->addPoint(indexed.data(), label_of(0));
    std::unique_ptr<Progress> progress;
    if (unique >= progress_min_rows) {
        progress = std::make_unique<Progress>("HNSW build", unique - 1);
    }
    const std::size_t chunks = (unique - 1 + chunk_rows - 1) / chunk_rows;
    parallel_for(chunks, options.jobs, [&](std::size_t c, int) {
        const std::size_t begin = 1 + c * chunk_rows;
        const std::size_t end = std::min(unique, begin + chunk_rows);
        for (std::size_t g = begin; g < end; ++g) {
            state.graph->addPoint(indexed.data() + g * bytes, label_of(g));
        }
        if (progress) {
            progress->advance(end - begin);
        }
    });
    if (progress) {
        progress->finish();
    }

    state.internal_of_label.resize(n);
    for (std::size_t internal = 0; internal < unique; ++internal) {
        const auto internal_id = static_cast<hnswlib::tableint>(internal);
        state.internal_of_label[state.graph->getExternalLabel(internal_id)] = internal_id;
    }
}

HnswIndex::~HnswIndex() = default;

KnnGraph HnswIndex::self_graph(int k, int jobs) const {
    UADSCOPE_ASSERT(k >= 1 && static_cast<std::size_t>(k) < n_);
    const auto k_size = static_cast<std::size_t>(k);
    State& state = *state_;
    const std::lock_guard lock(state.search_mutex);
    const std::size_t unique = state.groups();
    const std::size_t candidates = state.candidate_count(k_size, unique - 1);
    state.graph->setEf(std::max(static_cast<std::size_t>(state.options.ef_search), candidates + 1));

    KnnGraph result;
    result.n = n_;
    result.k = k;
    result.method = KnnMethod::hnsw;
    result.indices.resize(n_ * k_size);
    result.distances.resize(n_ * k_size);

    std::atomic<std::size_t> fallback_rows{0};
    std::unique_ptr<Progress> progress;
    if (unique >= progress_min_rows) {
        progress = std::make_unique<Progress>("HNSW search", unique);
    }
    const std::size_t chunks = (unique + chunk_rows - 1) / chunk_rows;
    parallel_for(chunks, jobs, [&](std::size_t c, int) {
        const std::size_t begin = c * chunk_rows;
        const std::size_t end = std::min(unique, begin + chunk_rows);
        // Internal ids, whose stored vectors are the search vectors of their representatives.
        for (std::size_t internal = begin; internal < end; ++internal) {
            const auto internal_id = static_cast<hnswlib::tableint>(internal);
            const auto label =
                static_cast<std::int64_t>(state.graph->getExternalLabel(internal_id));
            const auto group = state.members(
                static_cast<std::size_t>(state.group_of[static_cast<std::size_t>(label)]));
            // The other rows of the group come first, at distance 0, then the nearest rows of
            // other groups.
            const std::size_t copies = group.size() - 1;
            std::vector<Neighbour> outside;
            if (copies < k_size) {
                const char* vector = state.graph->getDataByInternalId(internal_id);
                auto [found, fell_back] = state.search(
                    vector, state.full_row(label), k_size - copies, candidates, label, internal_id);
                outside = std::move(found);
                if (fell_back) {
                    ++fallback_rows;
                }
            }
            for (const std::int32_t row : group) {
                const std::size_t offset = static_cast<std::size_t>(row) * k_size;
                std::size_t j = 0;
                for (const std::int32_t copy : group) {
                    if (copy != row && j < k_size) {
                        result.indices[offset + j] = copy;
                        result.distances[offset + j] = 0.0f;
                        ++j;
                    }
                }
                for (std::size_t o = 0; j < k_size; ++o, ++j) {
                    result.indices[offset + j] = static_cast<std::int32_t>(outside[o].second);
                    result.distances[offset + j] = std::sqrt(std::max(outside[o].first, 0.0f));
                }
            }
        }
        if (progress) {
            progress->advance(end - begin);
        }
    });
    if (progress) {
        progress->finish();
    }
    if (fallback_rows > 0) {
        spdlog::debug("HNSW returned too few neighbours for {} of {} rows; searched them exactly",
                      fallback_rows.load(), unique);
    }
    return result;
}

KnnGraph HnswIndex::query(std::span<const float> queries, std::size_t n_queries, int k,
                          int jobs) const {
    UADSCOPE_ASSERT(k >= 1 && static_cast<std::size_t>(k) <= n_);
    UADSCOPE_ASSERT(queries.size() == n_queries * d_);
    const auto k_size = static_cast<std::size_t>(k);
    State& state = *state_;
    const std::lock_guard lock(state.search_mutex);
    const std::size_t candidates = state.candidate_count(k_size, state.groups());
    state.graph->setEf(std::max(static_cast<std::size_t>(state.options.ef_search), candidates + 1));

    KnnGraph result;
    result.n = n_queries;
    result.k = k;
    result.method = KnnMethod::hnsw;
    result.indices.resize(n_queries * k_size);
    result.distances.resize(n_queries * k_size);

    std::atomic<std::size_t> fallback_rows{0};
    const SingleThreadedBlas single_threaded_blas;
    const std::size_t bytes = state.search_bytes();
    const std::size_t chunks = (n_queries + chunk_rows - 1) / chunk_rows;
    parallel_for(chunks, jobs, [&](std::size_t c, int) {
        const std::size_t begin = c * chunk_rows;
        const std::size_t count = std::min(n_queries, begin + chunk_rows) - begin;
        const float* rows = queries.data() + begin * d_;
        const std::vector<char> search_rows = state.to_search(rows, count, 1);
        for (std::size_t i = 0; i < count; ++i) {
            const auto [found, fell_back] =
                state.search(search_rows.data() + i * bytes, rows + i * d_, k_size, candidates, -1,
                             std::nullopt);
            if (fell_back) {
                ++fallback_rows;
            }
            const std::size_t offset = (begin + i) * k_size;
            for (std::size_t j = 0; j < k_size; ++j) {
                result.indices[offset + j] = static_cast<std::int32_t>(found[j].second);
                result.distances[offset + j] = std::sqrt(std::max(found[j].first, 0.0f));
            }
        }
    });
    if (fallback_rows > 0) {
        spdlog::debug(
            "HNSW returned too few neighbours for {} of {} queries; searched them exactly",
            fallback_rows.load(), n_queries);
    }
    return result;
}

}  // namespace uadscope::neighbors::detail
