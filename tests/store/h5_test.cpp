#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <vector>

#include "common/paths.h"
#include "core/error.h"
#include "store/h5.h"
#include "store/map_file.h"

namespace uadscope::store {
namespace {

TEST(H5File, MatrixRoundTrip) {
    const auto folder = testing::fresh_temp_dir("h5-matrix");
    const std::vector<float> values = {1, 2, 3, 4, 5, 6};
    {
        auto file = H5File::create(folder / "a.h5");
        file.write_matrix<float>("data", values, 3, 2, 2, true);
        file.write<std::int64_t>("offsets", std::vector<std::int64_t>{0, 1, 3});
    }
    const auto file = H5File::open(folder / "a.h5");
    const Shape shape = file.shape("data");
    EXPECT_EQ(shape.rows, 3);
    EXPECT_EQ(shape.cols, 2);
    EXPECT_FALSE(shape.one_dimensional);
    EXPECT_EQ(file.read<float>("data"), values);
    EXPECT_EQ(file.read_rows<float>("data", 1, 2), (std::vector<float>{3, 4, 5, 6}));
    EXPECT_EQ(file.read<std::int64_t>("offsets"), (std::vector<std::int64_t>{0, 1, 3}));
    EXPECT_TRUE(file.shape("offsets").one_dimensional);
    EXPECT_THROW(file.read_rows<float>("data", 2, 2), Error);
    EXPECT_THROW(file.read<float>("missing"), Error);
}

TEST(H5File, EmptyMatrix) {
    const auto folder = testing::fresh_temp_dir("h5-empty");
    {
        auto file = H5File::create(folder / "e.h5");
        file.write_matrix<float>("data", std::span<const float>(), 0, 128);
    }
    const auto file = H5File::open(folder / "e.h5");
    EXPECT_EQ(file.shape("data").rows, 0);
    EXPECT_EQ(file.shape("data").cols, 128);
    EXPECT_TRUE(file.read<float>("data").empty());
}

TEST(H5File, AppendRows) {
    const auto folder = testing::fresh_temp_dir("h5-append");
    {
        auto file = H5File::create(folder / "g.h5");
        file.create_extendable("data", true, 3, 4);
        file.append_rows("data", std::vector<float>{1, 2, 3});
        file.append_rows("data", std::vector<float>{4, 5, 6, 7, 8, 9});
    }
    const auto file = H5File::open(folder / "g.h5");
    EXPECT_EQ(file.shape("data").rows, 3);
    EXPECT_EQ(file.read<float>("data").back(), 9.0f);
}

TEST(H5File, StringsAndAttributes) {
    const auto folder = testing::fresh_temp_dir("h5-attributes");
    {
        auto file = H5File::create(folder / "s.h5");
        file.write_strings("names", {"fan", "", "valve/section_00"});
        file.set_attribute("rep", "log_mel");
        file.set_attribute("top_db", 80.0);
        file.set_attribute("seed", std::int64_t{7});
        file.set_attribute("seed", std::int64_t{8});
    }
    const auto file = H5File::open(folder / "s.h5");
    EXPECT_EQ(file.read_strings("names"),
              (std::vector<std::string>{"fan", "", "valve/section_00"}));
    EXPECT_EQ(file.attribute_string("rep"), "log_mel");
    EXPECT_EQ(file.attribute_double("top_db"), 80.0);
    EXPECT_EQ(file.attribute_int("seed"), 8);
    EXPECT_TRUE(file.has_attribute("rep"));
    EXPECT_FALSE(file.has_attribute("missing"));
    EXPECT_THROW(file.attribute_string("missing"), Error);
    EXPECT_EQ(file.attribute_names().size(), 3u);
}

TEST(H5File, OpenRejectsMissingAndDamaged) {
    const auto folder = testing::fresh_temp_dir("h5-damaged");
    EXPECT_THROW(H5File::open(folder / "none.h5"), Error);
    std::ofstream(folder / "bad.h5") << "not an hdf5 file";
    try {
        H5File::open(folder / "bad.h5");
        FAIL() << "opening a text file as HDF5 must throw";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("bad.h5"), std::string::npos);
    }
}

TEST(MapFile, RoundTrip) {
    const auto folder = testing::fresh_temp_dir("map-file");
    MapData map;
    map.points = 3;
    map.embedding = {0, 1, 2, 3, 4, 5};
    map.file_id = {0, 0, 1};
    map.frame = {0, 1, 0};
    map.fitted = {1, 1, 0};
    map.k = 1;
    map.knn_indices = {1, 0, 0};
    map.knn_distances = {0.5f, 0.5f, 2.0f};
    map.text["rep"] = "log_mel";
    map.numbers["seed"] = 0;
    map.numbers["trustworthiness"] = 0.97;
    write_map(folder / "maps" / "m.h5", map);
    const MapData read = read_map(folder / "maps" / "m.h5");
    EXPECT_EQ(read.points, 3);
    EXPECT_EQ(read.embedding, map.embedding);
    EXPECT_EQ(read.file_id, map.file_id);
    EXPECT_EQ(read.fitted, map.fitted);
    EXPECT_EQ(read.k, 1);
    EXPECT_EQ(read.knn_distances, map.knn_distances);
    EXPECT_EQ(read.text.at("rep"), "log_mel");
    EXPECT_EQ(read.numbers.at("trustworthiness"), 0.97);
}

TEST(MapFile, RejectsMismatchedSizes) {
    const auto folder = testing::fresh_temp_dir("map-file-bad");
    MapData map;
    map.points = 2;
    map.embedding = {0, 1, 2};
    EXPECT_THROW(write_map(folder / "m.h5", map), Error);
    EXPECT_FALSE(std::filesystem::exists(folder / "m.h5"));
}

TEST(H5File, Uint64AttributeExact) {
    const auto folder = testing::fresh_temp_dir("h5-uint64");
    const auto path = folder / "a.h5";
    constexpr std::uint64_t above_double = 9007199254740993ull;  // 2^53 + 1
    {
        auto file = H5File::create(path);
        file.set_attribute("seed", above_double);
        file.set_attribute("largest", std::uint64_t{18446744073709551615ull});
        file.set_attribute("old_seed", 42.0);
        file.set_attribute("signed", std::int64_t{7});
        file.set_attribute("fraction", 1.5);
        file.set_attribute("negative", std::int64_t{-1});
        file.set_attribute("text", "x");
    }
    const auto file = H5File::open(path);
    EXPECT_EQ(file.attribute_uint64("seed"), above_double);
    EXPECT_EQ(file.attribute_uint64("largest"), 18446744073709551615ull);
    EXPECT_EQ(file.attribute_uint64("old_seed"), 42u);
    EXPECT_EQ(file.attribute_uint64("signed"), 7u);
    EXPECT_THROW(file.attribute_uint64("fraction"), Error);
    EXPECT_THROW(file.attribute_uint64("negative"), Error);
    EXPECT_THROW(file.attribute_uint64("text"), Error);
    std::filesystem::remove_all(folder);
}

TEST(H5File, IsFloat) {
    const auto folder = testing::fresh_temp_dir("h5-is-float");
    const auto path = folder / "a.h5";
    {
        auto file = H5File::create(path);
        file.write<float>("floats", std::vector<float>{1.0f});
        file.write<double>("doubles", std::vector<double>{1.0});
        file.write<std::int32_t>("integers", std::vector<std::int32_t>{1});
    }
    const auto file = H5File::open(path);
    EXPECT_TRUE(file.is_float("floats"));
    EXPECT_TRUE(file.is_float("doubles"));
    EXPECT_FALSE(file.is_float("integers"));
    std::filesystem::remove_all(folder);
}

MapData one_point_map() {
    MapData map;
    map.points = 1;
    map.embedding = {0.5f, 1.5f};
    map.file_id = {0};
    map.frame = {0};
    map.fitted = {1};
    return map;
}

TEST(MapFile, SeedAboveDoublePrecision) {
    const auto folder = testing::fresh_temp_dir("map-file-seed");
    MapData map = one_point_map();
    map.seed = 9007199254740993ull;
    write_map(folder / "new.h5", map);
    const MapData read = read_map(folder / "new.h5");
    ASSERT_TRUE(read.seed);
    EXPECT_EQ(*read.seed, 9007199254740993ull);

    // Maps written before the integer attribute stored the seed as float64.
    MapData old = one_point_map();
    old.numbers["seed"] = 12345;
    write_map(folder / "old.h5", old);
    const MapData read_old = read_map(folder / "old.h5");
    ASSERT_TRUE(read_old.seed);
    EXPECT_EQ(*read_old.seed, 12345u);

    EXPECT_FALSE(read_map(folder / "new.h5").numbers.empty());
    write_map(folder / "none.h5", one_point_map());
    EXPECT_FALSE(read_map(folder / "none.h5").seed);
    std::filesystem::remove_all(folder);
}

TEST(MapFile, ManifestCheck) {
    const std::filesystem::path path = "/work/maps/m.h5";
    EXPECT_NO_THROW(check_map_manifest(path, {}, "abc"));
    EXPECT_NO_THROW(check_map_manifest(path, {{"manifest_fingerprint", "abc"}}, "abc"));
    try {
        check_map_manifest(path, {{"manifest_fingerprint", "old"}}, "abc");
        ADD_FAILURE() << "a map of another manifest was accepted";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("map '/work/maps/m.h5' was made from another manifest.csv"),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find("run uadscope map /work again"), std::string::npos) << message;
    }
}

}  // namespace
}  // namespace uadscope::store
