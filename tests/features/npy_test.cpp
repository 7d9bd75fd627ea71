#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "common/paths.h"
#include "core/error.h"
#include "store/npy.h"

namespace uadscope::store {
namespace {

using ::testing::HasSubstr;

std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

class NpyFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = uadscope::testing::fresh_temp_dir(std::string("npy-") + info->name());
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(NpyFiles, HeaderMatchesNumpySave) {
    // The first 128 bytes that numpy 1.24 numpy.save writes for np.zeros((2, 3), np.float32).
    const std::string numpy_header = std::string("\x93NUMPY\x01\x00v\x00", 10) +
                                     "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
                                     std::string(58, ' ') + "\n";
    ASSERT_EQ(numpy_header.size(), 128u);
    const std::vector<float> values(6, 0.0f);
    const std::vector<std::int64_t> shape = {2, 3};
    write_npy(dir_ / "a.npy", values, shape);
    const auto bytes = read_bytes(dir_ / "a.npy");
    ASSERT_EQ(bytes.size(), 128u + 24u);
    EXPECT_EQ(bytes.substr(0, 128), numpy_header);
}

TEST_F(NpyFiles, OneDimensionalShapeHasTrailingComma) {
    const std::vector<std::int64_t> values = {1, 2, 3, 4, 5};
    const std::vector<std::int64_t> shape = {5};
    write_npy(dir_ / "b.npy", values, shape);
    EXPECT_THAT(read_bytes(dir_ / "b.npy"), HasSubstr("'shape': (5,), }"));
}

TEST_F(NpyFiles, RoundTripsEveryType) {
    const std::vector<std::int64_t> shape = {2, 2};
    const std::vector<float> f32 = {1.5f, -2.25f, 3e-30f, 7.0f};
    const std::vector<double> f64 = {1e300, -0.1, 0.0, 42.0};
    const std::vector<std::int32_t> i32 = {std::numeric_limits<std::int32_t>::min(), -1, 0,
                                           std::numeric_limits<std::int32_t>::max()};
    const std::vector<std::int64_t> i64 = {-(std::int64_t{1} << 53), -1, 0, std::int64_t{1} << 53};
    write_npy(dir_ / "f32.npy", f32, shape);
    write_npy(dir_ / "f64.npy", f64, shape);
    write_npy(dir_ / "i32.npy", i32, shape);
    write_npy(dir_ / "i64.npy", i64, shape);

    const auto a = read_npy(dir_ / "f32.npy");
    EXPECT_EQ(a.type, NpyType::float32);
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.as_float(), f32);
    const auto b = read_npy(dir_ / "f64.npy");
    EXPECT_EQ(b.type, NpyType::float64);
    EXPECT_EQ(b.values, f64);
    const auto c = read_npy(dir_ / "i32.npy");
    EXPECT_EQ(c.type, NpyType::int32);
    for (std::size_t i = 0; i < i32.size(); ++i) {
        EXPECT_EQ(c.values[i], static_cast<double>(i32[i]));
    }
    const auto d = read_npy(dir_ / "i64.npy");
    EXPECT_EQ(d.type, NpyType::int64);
    for (std::size_t i = 0; i < i64.size(); ++i) {
        EXPECT_EQ(d.values[i], static_cast<double>(i64[i]));
    }
}

TEST_F(NpyFiles, ZeroDimensionalAndEmptyArrays) {
    const std::vector<double> scalar = {2.5};
    write_npy(dir_ / "scalar.npy", scalar, std::vector<std::int64_t>{});
    const auto a = read_npy(dir_ / "scalar.npy");
    EXPECT_TRUE(a.shape.empty());
    EXPECT_EQ(a.values, scalar);

    write_npy(dir_ / "empty.npy", std::vector<float>{}, std::vector<std::int64_t>{0, 513});
    const auto b = read_npy(dir_ / "empty.npy");
    EXPECT_EQ(b.shape, (std::vector<std::int64_t>{0, 513}));
    EXPECT_TRUE(b.values.empty());
}

TEST_F(NpyFiles, ShapeMismatchRejected) {
    EXPECT_THROW(
        write_npy(dir_ / "bad.npy", std::vector<float>(5), std::vector<std::int64_t>{2, 3}), Error);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "bad.npy"));
}

TEST_F(NpyFiles, BadFilesRejectedNamingFile) {
    const auto write = [&](const std::string& name, const std::string& bytes) {
        std::ofstream(dir_ / name, std::ios::binary) << bytes;
        return dir_ / name;
    };
    const auto header = [](const std::string& dict) {
        std::string text = dict + "\n";
        std::string bytes("\x93NUMPY\x01\x00", 8);
        bytes += static_cast<char>(text.size() & 0xff);
        bytes += static_cast<char>(text.size() >> 8);
        return bytes + text;
    };
    const std::vector<std::pair<std::filesystem::path, std::string>> cases = {
        {write("text.npy", "not numpy at all"), "magic"},
        {write("bigendian.npy",
               header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }") +
                   std::string(8, '\0')),
         ">f4"},
        {write("short.npy", header("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }") +
                                std::string(8, '\0')),
         "truncated"},
        {write("noshape.npy", header("{'descr': '<f8', 'fortran_order': False, }")), "header"},
        {dir_ / "missing.npy", "cannot open"},
    };
    for (const auto& [path, reason] : cases) {
        try {
            read_npy(path);
            ADD_FAILURE() << "no Error for " << path;
        } catch (const Error& error) {
            EXPECT_THAT(error.what(), HasSubstr(path.string()));
            EXPECT_THAT(error.what(), HasSubstr(reason));
        }
    }
}

TEST_F(NpyFiles, FortranOrderReorderedToC) {
    std::string text = "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }\n";
    std::string bytes("\x93NUMPY\x01\x00", 8);
    bytes += static_cast<char>(text.size());
    bytes += '\0';
    bytes += text;
    // Column-major storage of [[0, 1, 2], [3, 4, 5]] is 0, 3, 1, 4, 2, 5.
    for (const std::int32_t value : {0, 3, 1, 4, 2, 5}) {
        bytes.append(reinterpret_cast<const char*>(&value), 4);
    }
    std::ofstream(dir_ / "fortran.npy", std::ios::binary) << bytes;
    const auto array = read_npy(dir_ / "fortran.npy");
    EXPECT_EQ(array.shape, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(array.values, (std::vector<double>{0, 1, 2, 3, 4, 5}));
}

TEST(NpyFixture, ReadsLibrosaMelBasis) {
    UADSCOPE_REQUIRE_SHARED(shared);
    const auto array =
        read_npy(shared / "fixtures/librosa/mel_basis_sr16000_nfft1024_nmels128.npy");
    EXPECT_EQ(array.type, NpyType::float32);
    EXPECT_EQ(array.shape, (std::vector<std::int64_t>{128, 513}));
    EXPECT_EQ(array.values.size(), 128u * 513u);
}

}  // namespace
}  // namespace uadscope::store
