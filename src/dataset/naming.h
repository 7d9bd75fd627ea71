#pragma once

// Naming schemes: each turns the path of one audio file into a ParsedName.
//
// A scheme reads only the file's basename and the folders directly above it that its
// layout names, at fixed positions counted from the file. Any other folder, such as one
// called "section_99_backup", is never read. The layouts (">" marks the folders read):
//
//   dcase2020    <machine>/{train,test}/{normal,anomaly}_id_NN_NNNNNNNN.wav
//   dcase2021    <machine>/{train,test,source_test,target_test}/
//                    section_NN_{source,target}_{train,test}_{normal,anomaly}_NNNN[_<attrs>].wav
//                attrs: "noAttribute", a packed token such as "A1Spd28VMic1"
//                (model=A1;spd=28V;mic=1), or any other text kept whole as attr=<text>
//   dcase2022    the same names with attrs as <key>_<value> pairs (DCASE 2022 to 2025);
//                values may contain '-' and '.', e.g. vel_730_ac_0.11 or m-n_W
//   eval         <machine>/{test,source_test,target_test}/
//                    section_NN_{source,target}_test_NNNN.wav or section_NN_NNNN.wav
//                (evaluation files: label unknown until ground truth joins)
//   mimii        [<snr>_dB_<machine>/]<machine>/id_NN/{normal,abnormal}/NNNNNNNN.wav
//   idmt-engine  {train,test}[_cut]/engine<N>_{good,broken,heavyload}/<name>.wav
//                (IDMT-ISA-ELECTRIC-ENGINE; device "engine", section 0)
//   external     any audio file: no device, section, domain, split or label
//
// The label always comes from the label position of the name, so
// section_00_source_test_anomaly_0001_mode_normal_spd_1.wav is an anomaly.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataset/record.h"

namespace uadscope::dataset {

enum class Scheme { dcase2020, dcase2021, dcase2022, eval, mimii, idmt_engine, external };

// Every scheme tried by detection, in the order tried; external is not among them because
// it matches every file.
const std::vector<Scheme>& detected_schemes();

std::string_view scheme_name(Scheme scheme);
// Parses a scheme name ("dcase2020", ..., "idmt-engine", "external").
std::optional<Scheme> parse_scheme(std::string_view name);
// Parses a comma-separated list of scheme names ("dcase2022,eval"); "auto" gives
// detected_schemes(). Throws UsageError naming an unknown scheme and listing the valid ones.
std::vector<Scheme> parse_scheme_list(std::string_view list);

// The result of applying one or more schemes to a path.
struct NameMatch {
    std::optional<ParsedName> name;
    // Why no scheme matched, when name is empty.
    std::string reason;
    // True when the basename (or, for idmt-engine, its folder) fits the scheme and only the
    // folder layout or a consistency check failed; such reasons are the most specific.
    bool basename_matched = false;
};

// Applies one scheme to `path`; only its last components are read, so an absolute path and
// a path relative to the dataset root give the same result when the layout is complete
// below the root.
NameMatch parse_path(const std::filesystem::path& path, Scheme scheme);

// Tries `schemes` in order and returns the first match. Without a match, the reason is the
// one from the first scheme whose basename fitted, else a general one.
NameMatch parse_path(const std::filesystem::path& path, const std::vector<Scheme>& schemes);

// True for the extensions .wav, .flac and .ogg in any letter case.
bool is_audio_file(const std::filesystem::path& path);

}  // namespace uadscope::dataset
