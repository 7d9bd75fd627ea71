// Benchmark helper for uadscope's UMAP (driven by bench/umap_bench.sh).
//
//   umap_bench gaussian --rows N --dims D --out X.npy      Gaussian-mixture input
//   umap_bench blobs --rows N --dims D --out X.npy         isotropic Gaussian blobs
//   umap_bench features --data DIR --out X.npy             log-mel stack-5 of DIR's .wav files
//   umap_bench knn --input X.npy                           kNN graph time and HNSW recall
//   umap_bench fit --input X.npy --out E.npy               UMAP: wall time, CPU, peak RSS
//   umap_bench quality --input X.npy --embedding E.npy     trustworthiness, kNN preservation
//
// Inputs and embeddings are float32 .npy files, so that umap-learn reads the same bytes.
// Results are printed as "key=value" fields on one line per command.

#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audio/audio.h"
#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "features/extract.h"
#include "neighbors/knn_graph.h"
#include "store/npy.h"
#include "umap/quality.h"
#include "umap/umap.h"

namespace uadscope {
namespace {

struct Matrix {
    std::vector<float> values;
    std::size_t rows = 0;
    std::size_t cols = 0;
};

// Reads a C-order float32 .npy file of two dimensions straight into floats (store::read_npy
// converts to double, which would double the benchmark's peak memory).
Matrix read_float_npy(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw Error("cannot open " + path.string());
    }
    char magic[8];
    file.read(magic, 8);
    if (!file || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
        throw Error(path.string() + " is not a .npy file");
    }
    std::size_t header_length = 0;
    if (magic[6] == 1) {
        unsigned char bytes[2];
        file.read(reinterpret_cast<char*>(bytes), 2);
        header_length = bytes[0] | (static_cast<std::size_t>(bytes[1]) << 8);
    } else {
        unsigned char bytes[4];
        file.read(reinterpret_cast<char*>(bytes), 4);
        header_length = bytes[0] | (static_cast<std::size_t>(bytes[1]) << 8) |
                        (static_cast<std::size_t>(bytes[2]) << 16) |
                        (static_cast<std::size_t>(bytes[3]) << 24);
    }
    std::string header(header_length, '\0');
    file.read(header.data(), static_cast<std::streamsize>(header_length));
    if (header.find("'<f4'") == std::string::npos ||
        header.find("'fortran_order': False") == std::string::npos) {
        throw Error(path.string() + ": expected a C-order float32 array, header " + header);
    }
    const auto open = header.find('(');
    const auto close = header.find(')', open);
    Matrix matrix;
    if (std::sscanf(header.substr(open, close - open + 1).c_str(), "(%zu, %zu)", &matrix.rows,
                    &matrix.cols) != 2) {
        throw Error(path.string() + ": expected a two-dimensional array, header " + header);
    }
    matrix.values.resize(matrix.rows * matrix.cols);
    file.read(reinterpret_cast<char*>(matrix.values.data()),
              static_cast<std::streamsize>(matrix.values.size() * sizeof(float)));
    if (!file) {
        throw Error(path.string() + ": fewer data bytes than the shape needs");
    }
    return matrix;
}

void write_float_npy(const std::filesystem::path& path, const std::vector<float>& values,
                     std::size_t rows, std::size_t cols) {
    const std::vector<std::int64_t> shape = {static_cast<std::int64_t>(rows),
                                             static_cast<std::int64_t>(cols)};
    store::write_npy(path, values, shape);
}

double peak_rss_mb() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double cpu_seconds() {
    return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

// Gaussian mixture with low intrinsic dimension, like stacked spectra: each of `clusters`
// components spreads along `latent` random directions (standard deviation 1 each) around a
// centre drawn with standard deviation 3, plus isotropic noise of standard deviation 0.1.
Matrix gaussian_mixture(std::size_t rows, std::size_t cols, int clusters, int latent,
                        std::uint64_t seed) {
    Rng rng(seed);
    const auto c_count = static_cast<std::size_t>(clusters);
    const auto l_count = static_cast<std::size_t>(latent);
    std::vector<float> centres(c_count * cols);
    std::vector<float> directions(c_count * l_count * cols);
    for (auto& value : centres) {
        value = static_cast<float>(3.0 * rng.normal());
    }
    // Directions of norm about 1 in `cols` dimensions.
    const double direction_scale = 1.0 / std::sqrt(static_cast<double>(cols)) * 4.0;
    for (auto& value : directions) {
        value = static_cast<float>(direction_scale * rng.normal());
    }
    Matrix matrix;
    matrix.rows = rows;
    matrix.cols = cols;
    matrix.values.resize(rows * cols);
    std::vector<double> z(l_count);
    for (std::size_t i = 0; i < rows; ++i) {
        const std::size_t c = rng.uniform_int(c_count);
        for (auto& value : z) {
            value = rng.normal();
        }
        for (std::size_t j = 0; j < cols; ++j) {
            double value = centres[c * cols + j] + 0.1 * rng.normal();
            for (std::size_t l = 0; l < l_count; ++l) {
                value += directions[(c * l_count + l) * cols + j] * z[l];
            }
            matrix.values[i * cols + j] = static_cast<float>(value);
        }
    }
    return matrix;
}

// Isotropic Gaussian blobs as scikit-learn's make_blobs draws them by default: `clusters`
// centres uniform in [-10, 10] per column, standard deviation 1 around them. In 640
// dimensions the neighbours within a blob are nearly equidistant, which makes graph search
// (HNSW, NN-descent) slow.
Matrix gaussian_blobs(std::size_t rows, std::size_t cols, int clusters, std::uint64_t seed) {
    Rng rng(seed);
    const auto c_count = static_cast<std::size_t>(clusters);
    std::vector<float> centres(c_count * cols);
    for (auto& value : centres) {
        value = rng.uniform(-10.0f, 10.0f);
    }
    Matrix matrix;
    matrix.rows = rows;
    matrix.cols = cols;
    matrix.values.resize(rows * cols);
    for (std::size_t i = 0; i < rows; ++i) {
        const std::size_t c = rng.uniform_int(c_count);
        for (std::size_t j = 0; j < cols; ++j) {
            matrix.values[i * cols + j] = centres[c * cols + j] + static_cast<float>(rng.normal());
        }
    }
    return matrix;
}

// Log-mel (or log-STFT) stacks of every .wav file under `folder`, sorted by relative path.
Matrix feature_vectors(const std::filesystem::path& folder, bool log_mel, int stack) {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
        if (entry.is_regular_file() && entry.path().extension() == ".wav") {
            files.push_back(std::filesystem::relative(entry.path(), folder).generic_string());
        }
    }
    std::sort(files.begin(), files.end());
    features::FeatureExtractor extractor{features::SpectrogramOptions{}};
    Matrix matrix;
    for (const auto& file : files) {
        const auto samples = audio::load_audio(folder / file);
        const auto computed = extractor.compute(samples, !log_mel, log_mel);
        const auto stacked =
            features::stack_frames(log_mel ? computed.log_mel : computed.log_stft, stack);
        matrix.cols = static_cast<std::size_t>(stacked.dims);
        matrix.rows += static_cast<std::size_t>(stacked.frames);
        matrix.values.insert(matrix.values.end(), stacked.values.begin(), stacked.values.end());
    }
    return matrix;
}

int run(int argc, char** argv) {
    CLI::App app{"uadscope UMAP benchmark helper"};
    app.require_subcommand(1);

    std::size_t rows = 10000;
    std::size_t dims = 640;
    int clusters = 20;
    int latent = 10;
    std::uint64_t seed = 0;
    std::string out;
    auto* gaussian = app.add_subcommand("gaussian", "Write a Gaussian-mixture input");
    gaussian->add_option("--rows", rows, "Rows")->capture_default_str();
    gaussian->add_option("--dims", dims, "Columns")->capture_default_str();
    gaussian->add_option("--clusters", clusters, "Mixture components")->capture_default_str();
    gaussian->add_option("--latent", latent, "Directions per component")->capture_default_str();
    gaussian->add_option("--seed", seed, "Seed")->capture_default_str();
    gaussian->add_option("--out", out, "Output .npy")->required();

    auto* blobs = app.add_subcommand("blobs", "Write isotropic Gaussian blobs (make_blobs)");
    blobs->add_option("--rows", rows, "Rows")->capture_default_str();
    blobs->add_option("--dims", dims, "Columns")->capture_default_str();
    blobs->add_option("--clusters", clusters, "Blobs")->capture_default_str();
    blobs->add_option("--seed", seed, "Seed")->capture_default_str();
    blobs->add_option("--out", out, "Output .npy")->required();

    std::string data_dir;
    std::string representation = "log_mel";
    int stack = 5;
    auto* features_command = app.add_subcommand("features", "Write stacked features of .wav files");
    features_command->add_option("--data", data_dir, "Folder searched for .wav files")->required();
    features_command->add_option("--representation", representation, "log_mel or log_stft")
        ->capture_default_str();
    features_command->add_option("--stack", stack, "Frames per vector")->capture_default_str();
    features_command->add_option("--out", out, "Output .npy")->required();

    std::string input;
    std::string method = "automatic";
    int jobs = 0;
    int m = neighbors::default_hnsw_m;
    int ef_construction = neighbors::default_hnsw_ef_construction;
    int ef_search = neighbors::default_hnsw_ef_search;
    int projection_dims = neighbors::default_hnsw_projection_dims;
    int rerank_extra = neighbors::default_hnsw_rerank_extra;
    std::size_t recall_sample = 1000;
    bool half_precision = true;
    std::size_t list_rows = neighbors::default_clustered_list_rows;
    auto* knn = app.add_subcommand("knn", "Time the kNN graph (k = 14) and measure its recall");
    knn->add_option("--input", input, "Input .npy")->required();
    knn->add_option("--method", method, "automatic, exact, clustered or hnsw")
        ->capture_default_str();
    knn->add_option("--jobs", jobs, "Threads (0: all)")->capture_default_str();
    knn->add_option("--m", m, "HNSW m")->capture_default_str();
    knn->add_option("--ef-construction", ef_construction, "HNSW ef_construction")
        ->capture_default_str();
    knn->add_option("--ef-search", ef_search, "HNSW ef_search")->capture_default_str();
    knn->add_option("--projection-dims", projection_dims, "HNSW projection_dims")
        ->capture_default_str();
    knn->add_option("--rerank-extra", rerank_extra, "HNSW rerank_extra")->capture_default_str();
    knn->add_option("--recall-sample", recall_sample, "Rows for the recall")->capture_default_str();
    knn->add_option("--half-precision", half_precision, "HNSW half_precision")
        ->capture_default_str();
    knn->add_option("--list-rows", list_rows, "Clustered list_rows")->capture_default_str();

    auto* fit = app.add_subcommand("fit", "Fit UMAP with default options");
    fit->add_option("--input", input, "Input .npy")->required();
    fit->add_option("--out", out, "Output embedding .npy")->required();
    fit->add_option("--jobs", jobs, "Threads (0: all)")->capture_default_str();
    fit->add_option("--seed", seed, "Seed")->capture_default_str();
    fit->add_option("--method", method, "kNN method: automatic, exact, clustered or hnsw")
        ->capture_default_str();

    std::string embedding_path;
    auto* quality = app.add_subcommand("quality", "Trustworthiness and kNN preservation");
    quality->add_option("--input", input, "Input .npy")->required();
    quality->add_option("--embedding", embedding_path, "Embedding .npy")->required();
    quality->add_option("--jobs", jobs, "Threads (0: all)")->capture_default_str();

    CLI11_PARSE(app, argc, argv);

    if (gaussian->parsed()) {
        const Matrix matrix = gaussian_mixture(rows, dims, clusters, latent, seed);
        write_float_npy(out, matrix.values, matrix.rows, matrix.cols);
        std::printf("gaussian: rows=%zu dims=%zu clusters=%d latent=%d seed=%llu out=%s\n",
                    matrix.rows, matrix.cols, clusters, latent,
                    static_cast<unsigned long long>(seed), out.c_str());
    } else if (blobs->parsed()) {
        const Matrix matrix = gaussian_blobs(rows, dims, clusters, seed);
        write_float_npy(out, matrix.values, matrix.rows, matrix.cols);
        std::printf("blobs: rows=%zu dims=%zu clusters=%d seed=%llu out=%s\n", matrix.rows,
                    matrix.cols, clusters, static_cast<unsigned long long>(seed), out.c_str());
    } else if (features_command->parsed()) {
        const Matrix matrix = feature_vectors(data_dir, representation == "log_mel", stack);
        write_float_npy(out, matrix.values, matrix.rows, matrix.cols);
        std::printf("features: rows=%zu dims=%zu representation=%s stack=%d out=%s\n", matrix.rows,
                    matrix.cols, representation.c_str(), stack, out.c_str());
    } else if (knn->parsed()) {
        const Matrix matrix = read_float_npy(input);
        neighbors::KnnOptions options;
        options.method = neighbors::parse_knn_method(method);
        options.jobs = jobs;
        options.hnsw.m = m;
        options.hnsw.ef_construction = ef_construction;
        options.hnsw.ef_search = ef_search;
        options.hnsw.projection_dims = projection_dims;
        options.hnsw.rerank_extra = rerank_extra;
        options.hnsw.half_precision = half_precision;
        options.clustered.list_rows = list_rows;
        options.recall_sample = 0;
        const double cpu_start = cpu_seconds();
        const auto start = std::chrono::steady_clock::now();
        const auto graph =
            neighbors::build_knn_graph(matrix.values, matrix.rows, matrix.cols, 14, options);
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double cpu = cpu_seconds() - cpu_start;
        const double recall = neighbors::measure_recall(graph, matrix.values, matrix.rows,
                                                        matrix.cols, recall_sample, 1, jobs);
        std::printf(
            "knn: rows=%zu dims=%zu method=%s wall_s=%.2f cpu_s=%.2f recall=%.4f "
            "recall_sample=%zu m=%d ef_construction=%d ef_search=%d projection_dims=%d "
            "rerank_extra=%d half_precision=%d\n",
            matrix.rows, matrix.cols, neighbors::to_string(graph.method), wall, cpu, recall,
            recall_sample, m, ef_construction, ef_search, projection_dims, rerank_extra,
            half_precision ? 1 : 0);
    } else if (fit->parsed()) {
        const Matrix matrix = read_float_npy(input);
        umap::UmapOptions options;
        options.jobs = jobs;
        options.seed = seed;
        options.keep_index = false;
        options.knn.method = neighbors::parse_knn_method(method);
        const double cpu_start = cpu_seconds();
        const auto start = std::chrono::steady_clock::now();
        const umap::UmapModel model = umap::fit(matrix.values, matrix.rows, matrix.cols, options);
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double cpu = cpu_seconds() - cpu_start;
        write_float_npy(out, model.embedding, model.n, 2);
        std::printf(
            "fit: rows=%zu dims=%zu wall_s=%.2f cpu_s=%.2f peak_rss_mb=%.0f threads=%d "
            "knn=%s recall=%.4f components=%zu seed=%llu\n",
            matrix.rows, matrix.cols, wall, cpu, peak_rss_mb(), model.options.jobs,
            neighbors::to_string(model.knn.method), model.knn.recall, model.connected_components,
            static_cast<unsigned long long>(seed));
    } else if (quality->parsed()) {
        const Matrix matrix = read_float_npy(input);
        const Matrix embedding = read_float_npy(embedding_path);
        if (embedding.rows != matrix.rows) {
            throw Error("the embedding has " + std::to_string(embedding.rows) +
                        " rows, the input " + std::to_string(matrix.rows));
        }
        const auto result =
            umap::map_quality_subsampled(matrix.values, matrix.rows, matrix.cols, embedding.values,
                                         embedding.cols, 15, umap::default_quality_rows, jobs);
        std::printf(
            "quality: rows=%zu step=%zu evaluated=%zu trustworthiness=%.4f "
            "knn_preservation=%.4f\n",
            matrix.rows, result.step, result.rows, result.trustworthiness, result.knn_preservation);
    }
    return 0;
}

}  // namespace
}  // namespace uadscope

int main(int argc, char** argv) {
    uadscope::init_logging("info");
    try {
        return uadscope::run(argc, argv);
    } catch (const uadscope::Error& error) {
        std::fprintf(stderr, "umap_bench: %s\n", error.what());
        return 1;
    }
}
