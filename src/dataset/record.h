#pragma once

// One audio file of a dataset as the manifest describes it: where it is, what a naming
// scheme read from its path, and what its audio header says.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uadscope::dataset {

enum class Domain { source, target, unknown };
enum class Split { train, test, unknown };
enum class Label { normal, anomaly, unknown };

// The spellings used in file names, the manifest and the CLI ("source", "train", ...).
std::string_view to_string(Domain domain);
std::string_view to_string(Split split);
std::string_view to_string(Label label);
// Parses those spellings; returns nothing for any other text.
std::optional<Domain> parse_domain(std::string_view text);
std::optional<Split> parse_split(std::string_view text);
std::optional<Label> parse_label(std::string_view text);

// Attribute pairs in the order the file name gives them, e.g. {{"vel", "730"}, {"ac", "0.11"}}.
using Attributes = std::vector<std::pair<std::string, std::string>>;

// Serialises attributes as "key=value;key=value" (empty for none).
std::string format_attributes(const Attributes& attributes);
// Parses format_attributes' output; throws Error naming the text for a pair without '='.
Attributes parse_attributes(std::string_view text);

// What a naming scheme reads from a path.
struct ParsedName {
    std::string scheme;  // scheme name, see naming.h
    std::string device;  // machine type, e.g. "fan"; empty for external data
    int section = -1;    // section or machine id number; -1 when the scheme has none
    Domain domain = Domain::unknown;
    Split split = Split::unknown;
    Label label = Label::unknown;
    std::int64_t index = -1;  // clip number from the name; -1 when it has none
    Attributes attributes;
};

// One manifest row.
struct FileRecord {
    std::int64_t file_id = 0;   // row number in the manifest, from 0
    std::string path;           // absolute path of the audio file
    std::string relative_path;  // path below the dataset root, '/'-separated
    std::string dataset;        // name of the dataset root (folder name or NAME= given)
    bool external = false;      // from --external: no labels, drawn behind the machine data
    ParsedName name;

    // Audio header, from audio::probe_audio; zero when the header could not be read.
    int sample_rate = 0;
    int channels = 0;
    std::int64_t frames = 0;  // samples per channel (libsndfile's "frames"), not STFT frames
    std::string format;       // e.g. "WAV PCM 16-bit"
    // "ok", or why the audio header could not be read ("unreadable: ...").
    std::string status = "ok";
    // core::file_stamp of the audio file (path, size, modification time) at index time.
    std::string file_stamp;

    bool readable() const { return status == "ok"; }
    // Section as two digits ("00"), or empty when the scheme has none.
    std::string section_text() const;
};

}  // namespace uadscope::dataset
