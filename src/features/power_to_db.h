#pragma once

// Conversion of power values to decibels.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace uadscope::features {

// Decibel conversion formula.
enum class DbScale {
    // librosa 0.10 power_to_db: 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then every
    // value is raised to at least (maximum of the array) - top_db.
    librosa,
    // The DCASE 2020-2023 baseline systems: 10 log10(max(S, DBL_EPSILON)), no reference and
    // no clamp.
    dcase_baseline,
};

// Parses "librosa" or "dcase_baseline"; throws Error naming the value otherwise.
DbScale parse_db_scale(std::string_view text);
std::string_view to_string(DbScale scale);

struct DbOptions {
    DbScale scale = DbScale::librosa;
    double ref = 1.0;      // librosa only; > 0
    double amin = 1e-10;   // librosa only; > 0
    double top_db = 80.0;  // librosa only; > 0, or +infinity for no clamp
};

// Converts `power` (one file, any layout) to decibels in `db`, which has the same size and may
// be the same array. With DbScale::librosa the top_db clamp is relative to the maximum over all
// of `power`, so pass one whole file at a time. Results are within 2e-5 dB of the exact
// logarithm (a fast vectorised log2, not std::log10). NaN inputs are not expected.
// Throws Error for invalid librosa options.
void power_to_db(std::span<const float> power, std::span<float> db, const DbOptions& options);

// The same, in place.
void power_to_db(std::span<float> values, const DbOptions& options);

// Conversion to dB of one file whose power arrives a block of rows at a time, so that each block
// is converted while it is still in cache. Call convert() for every block in order, then
// finish() once on the concatenated output. The result has the same bits as power_to_db() on
// the whole file.
class DbConverter {
  public:
    // Throws Error for invalid librosa options.
    explicit DbConverter(const DbOptions& options);

    // Writes the dB values of `power` to `db` (same size, may be the same array) without the
    // top_db clamp. `power` is row-major [rows, row_length].
    void convert(std::span<const float> power, std::span<float> db, std::size_t row_length);

    // Applies the top_db clamp to `db`, the output of every convert() call concatenated. Only
    // rows with a value below the clamp are visited.
    void finish(std::span<float> db) const;

  private:
    DbOptions options_;
    float floor_ = 0;                // amin, or DBL_EPSILON for DbScale::dcase_baseline
    float offset_ = 0;               // 10 log10(max(amin, ref))
    std::int32_t maximum_bits_ = 0;  // bits of the largest power so far (non-negative floats)
    std::size_t row_length_ = 0;
    std::vector<float> row_minima_;  // smallest unclamped dB value of each row
};

}  // namespace uadscope::features
