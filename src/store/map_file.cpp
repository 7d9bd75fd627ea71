#include "store/map_file.h"

#include <cmath>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "store/h5.h"

namespace uadscope::store {

namespace {

void check_sizes(const std::filesystem::path& path, const MapData& map) {
    const auto n = static_cast<std::size_t>(map.points);
    const auto k = static_cast<std::size_t>(map.k);
    const bool consistent = map.embedding.size() == 2 * n && map.file_id.size() == n &&
                            map.frame.size() == n && map.fitted.size() == n &&
                            map.knn_indices.size() == n * k && map.knn_distances.size() == n * k;
    if (!consistent) {
        throw Error("map '" + path.string() + "': array sizes do not match " +
                    std::to_string(map.points) + " points and k = " + std::to_string(map.k));
    }
}

}  // namespace

void write_map(const std::filesystem::path& path, const MapData& map) {
    check_sizes(path, map);
    AtomicFile output(path);
    {
        auto file = H5File::create(output.temp_path());
        file.write_matrix<float>("embedding", map.embedding, map.points, 2);
        file.write<std::int32_t>("file_id", map.file_id);
        file.write<std::int32_t>("frame", map.frame);
        file.write<std::uint8_t>("fitted", map.fitted);
        if (map.k > 0) {
            file.write_matrix<std::int32_t>("knn_indices", map.knn_indices, map.points, map.k);
            file.write_matrix<float>("knn_distances", map.knn_distances, map.points, map.k);
        }
        for (const auto& [name, value] : map.text) {
            file.set_attribute(name, value);
        }
        for (const auto& [name, value] : map.numbers) {
            file.set_attribute(name, value);
        }
        if (map.seed) {
            file.set_attribute("seed", *map.seed);
        }
    }
    output.commit();
}

MapData read_map(const std::filesystem::path& path) {
    const auto file = H5File::open(path);
    MapData map;
    const Shape embedding_shape = file.shape("embedding");
    if (embedding_shape.one_dimensional || embedding_shape.cols != 2) {
        throw Error("map '" + path.string() + "': 'embedding' must have shape [points, 2]");
    }
    map.points = embedding_shape.rows;
    map.embedding = file.read<float>("embedding");
    map.file_id = file.read<std::int32_t>("file_id");
    map.frame = file.read<std::int32_t>("frame");
    map.fitted = file.read<std::uint8_t>("fitted");
    if (file.has_dataset("knn_indices")) {
        map.k = static_cast<std::int32_t>(file.shape("knn_indices").cols);
        map.knn_indices = file.read<std::int32_t>("knn_indices");
        map.knn_distances = file.read<float>("knn_distances");
    }
    for (const auto& name : file.attribute_names()) {
        try {
            map.text[name] = file.attribute_string(name);
        } catch (const Error&) {
            map.numbers[name] = file.attribute_double(name);
        }
    }
    if (file.has_attribute("seed") && map.text.count("seed") == 0) {
        try {
            map.seed = file.attribute_uint64("seed");
        } catch (const Error&) {
            // A seed another tool wrote as a negative or fractional number: the seed only
            // describes the map, so the map stays readable without it.
        }
    }
    check_sizes(path, map);
    for (const float value : map.embedding) {
        if (!std::isfinite(value)) {
            throw Error("map '" + path.string() +
                        "': embedding contains NaN or infinity; rerun `uadscope map`");
        }
    }
    return map;
}

void check_map_manifest(const std::filesystem::path& map_path,
                        const std::map<std::string, std::string>& map_text,
                        std::string_view manifest_fingerprint) {
    const auto recorded = map_text.find("manifest_fingerprint");
    if (recorded == map_text.end() || recorded->second == manifest_fingerprint) {
        return;
    }
    const std::filesystem::path work = map_path.parent_path().parent_path();  // WORK/maps/x.h5
    throw Error("map '" + map_path.string() +
                "' was made from another manifest.csv (the dataset was indexed again since); "
                "run uadscope map " +
                (work.empty() ? std::string("WORK") : work.string()) + " again");
}

}  // namespace uadscope::store
