#include "dataset/naming.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

#include <fmt/format.h>

#include "core/error.h"

namespace uadscope::dataset {

namespace fs = std::filesystem;

namespace {

constexpr std::array scheme_names = {
    std::pair{Scheme::dcase2020, std::string_view("dcase2020")},
    std::pair{Scheme::dcase2021, std::string_view("dcase2021")},
    std::pair{Scheme::dcase2022, std::string_view("dcase2022")},
    std::pair{Scheme::eval, std::string_view("eval")},
    std::pair{Scheme::mimii, std::string_view("mimii")},
    std::pair{Scheme::idmt_engine, std::string_view("idmt-engine")},
    std::pair{Scheme::external, std::string_view("external")},
};

// The basename without extension and the names of the folders above it: folder(1) is the
// parent, folder(2) the grandparent; empty past the root.
class PathParts {
  public:
    explicit PathParts(const fs::path& path) : stem_(path.stem().string()) {
        fs::path folder = path.parent_path();
        while (!folder.empty() && folder.has_filename() && folders_.size() < 4) {
            folders_.push_back(folder.filename().string());
            folder = folder.parent_path();
        }
    }

    const std::string& stem() const { return stem_; }
    std::string folder(std::size_t level) const {
        return level <= folders_.size() ? folders_[level - 1] : std::string();
    }

  private:
    std::string stem_;
    std::vector<std::string> folders_;
};

NameMatch no_match(std::string reason, bool basename_matched) {
    return NameMatch{std::nullopt, std::move(reason), basename_matched};
}

int to_int(const std::string& digits) {
    return std::stoi(digits);
}

std::int64_t to_int64(const std::string& digits) {
    return std::stoll(digits);
}

bool is_attribute_text(std::string_view text) {
    return !text.empty() && text.find_first_of(";=") == std::string_view::npos;
}

// --- DCASE 2020 -------------------------------------------------------------------------

NameMatch parse_dcase2020(const PathParts& parts) {
    static const std::regex pattern(R"(^(normal|anomaly)_id_(\d{2})_(\d+)$)");
    std::smatch match;
    if (!std::regex_match(parts.stem(), match, pattern)) {
        return no_match("name is not {normal,anomaly}_id_NN_NNNNNNNN (DCASE 2020)", false);
    }
    const std::string split_folder = parts.folder(1);
    const std::string device = parts.folder(2);
    if (split_folder != "train" && split_folder != "test") {
        return no_match(fmt::format("DCASE 2020 name in folder '{}': expected "
                                    "<machine>/train/ or <machine>/test/",
                                    split_folder),
                        true);
    }
    if (device.empty()) {
        return no_match("DCASE 2020 name without a machine folder above train/ or test/", true);
    }
    ParsedName name;
    name.scheme = "dcase2020";
    name.device = device;
    name.section = to_int(match[2]);
    name.split = *parse_split(split_folder);
    name.label = match[1] == "normal" ? Label::normal : Label::anomaly;
    name.index = to_int64(match[3]);
    if (name.split == Split::train && name.label == Label::anomaly) {
        return no_match("DCASE 2020 anomaly clip in a train/ folder: training data is normal only",
                        true);
    }
    return NameMatch{std::move(name), {}, true};
}

// --- DCASE 2021 to 2025 (labelled) and evaluation files ----------------------------------

// The folder above a DCASE 2021+ file gives the split and, for 2021 test folders, the
// domain; checks that the name agrees with it.
std::optional<std::string> check_dcase_folder(const std::string& folder, Split split,
                                              std::optional<Domain> domain) {
    if (folder == "train") {
        if (split != Split::train) {
            return "name says test but the file is in a train/ folder";
        }
        return std::nullopt;
    }
    const bool source_folder = folder == "source_test";
    const bool target_folder = folder == "target_test";
    if (folder.empty()) {
        return std::string(
            "no split folder above the file: expected "
            "<machine>/{train,test,source_test,target_test}/");
    }
    if (folder != "test" && !source_folder && !target_folder) {
        return fmt::format(
            "file in folder '{}': expected <machine>/{{train,test,source_test,target_test}}/",
            folder);
    }
    if (split != Split::test) {
        return fmt::format("name says train but the file is in a {}/ folder", folder);
    }
    if (domain && ((source_folder && *domain != Domain::source) ||
                   (target_folder && *domain != Domain::target))) {
        return fmt::format("name says {} but the file is in a {}/ folder", to_string(*domain),
                           folder);
    }
    return std::nullopt;
}

// Attributes of DCASE 2022+ names: <key>_<value> pairs.
std::optional<Attributes> parse_attribute_pairs(const std::string& text) {
    if (text == "noAttribute") {
        return Attributes{};
    }
    std::vector<std::string> tokens;
    std::size_t start = 0;
    while (true) {
        const auto end = text.find('_', start);
        tokens.push_back(text.substr(start, end - start));
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    if (tokens.size() % 2 != 0) {
        return std::nullopt;
    }
    Attributes attributes;
    for (std::size_t i = 0; i < tokens.size(); i += 2) {
        if (!is_attribute_text(tokens[i]) || !is_attribute_text(tokens[i + 1])) {
            return std::nullopt;
        }
        attributes.emplace_back(tokens[i], tokens[i + 1]);
    }
    return attributes;
}

// Attributes of DCASE 2021 names. ToyCar and ToyTrain pack them into one token such as
// "A1Spd28VMic1": a model code followed by <Name><value> segments, decoded into
// model=A1;spd=28V;mic=1. Other texts ("strength_1_ambient", "0_g_25_mm_2000_mV_none")
// have no fixed structure and are kept whole as attr=<text>.
std::optional<Attributes> parse_attributes_2021(const std::string& text) {
    if (text == "noAttribute") {
        return Attributes{};
    }
    if (!is_attribute_text(text)) {
        return std::nullopt;
    }
    static const std::regex packed(
        R"(^([A-Z][0-9]+)((?:[A-Z][a-z]+[0-9][0-9.]*(?:[A-Z](?![a-z]))?)+)$)");
    static const std::regex segment(R"(([A-Z][a-z]+)([0-9][0-9.]*(?:[A-Z](?![a-z]))?))");
    std::smatch match;
    if (!std::regex_match(text, match, packed)) {
        return Attributes{{"attr", text}};
    }
    Attributes attributes{{"model", match[1]}};
    const std::string segments = match[2];
    for (auto it = std::sregex_iterator(segments.begin(), segments.end(), segment);
         it != std::sregex_iterator(); ++it) {
        std::string key = (*it)[1];
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        attributes.emplace_back(std::move(key), (*it)[2]);
    }
    return attributes;
}

NameMatch parse_dcase_labelled(const PathParts& parts, Scheme scheme) {
    static const std::regex pattern(
        R"(^section_(\d{2})_(source|target)_(train|test)_(normal|anomaly)_(\d+)(?:_(.+))?$)");
    std::smatch match;
    if (!std::regex_match(parts.stem(), match, pattern)) {
        return no_match(
            "name is not section_NN_{source,target}_{train,test}_{normal,anomaly}_NNNN[_attrs] "
            "(DCASE 2021 to 2025)",
            false);
    }
    ParsedName name;
    name.section = to_int(match[1]);
    name.domain = *parse_domain(match[2].str());
    name.split = *parse_split(match[3].str());
    name.label = *parse_label(match[4].str());
    name.index = to_int64(match[5]);

    if (auto problem = check_dcase_folder(parts.folder(1), name.split, name.domain)) {
        return no_match(*problem, true);
    }
    name.device = parts.folder(2);
    if (name.device.empty()) {
        return no_match("DCASE name without a machine folder above its split folder", true);
    }

    const std::string attribute_text = match[6];
    if (scheme == Scheme::dcase2022) {
        const std::string folder = parts.folder(1);
        if (folder == "source_test" || folder == "target_test") {
            return no_match(
                "DCASE 2022+ names live in train/ and test/ folders, not " + folder + "/", true);
        }
        if (attribute_text.empty()) {
            return no_match(
                "name has no attributes: DCASE 2022+ names end in <key>_<value> "
                "pairs or noAttribute",
                true);
        }
        auto pairs = parse_attribute_pairs(attribute_text);
        if (!pairs) {
            return no_match(fmt::format("attributes '{}' are not <key>_<value> pairs (DCASE 2022+)",
                                        attribute_text),
                            true);
        }
        name.scheme = "dcase2022";
        name.attributes = std::move(*pairs);
    } else {
        name.scheme = "dcase2021";
        if (!attribute_text.empty()) {
            auto attributes = parse_attributes_2021(attribute_text);
            if (!attributes) {
                return no_match(fmt::format("attributes '{}' contain ';' or '='", attribute_text),
                                true);
            }
            name.attributes = std::move(*attributes);
        }
    }
    return NameMatch{std::move(name), {}, true};
}

NameMatch parse_eval(const PathParts& parts) {
    static const std::regex with_domain(R"(^section_(\d{2})_(source|target)_test_(\d+)$)");
    static const std::regex without_domain(R"(^section_(\d{2})_(\d+)$)");
    std::smatch match;
    ParsedName name;
    name.scheme = "eval";
    name.split = Split::test;
    std::optional<Domain> named_domain;
    if (std::regex_match(parts.stem(), match, with_domain)) {
        name.section = to_int(match[1]);
        named_domain = *parse_domain(match[2].str());
        name.index = to_int64(match[3]);
    } else if (std::regex_match(parts.stem(), match, without_domain)) {
        name.section = to_int(match[1]);
        name.index = to_int64(match[2]);
    } else {
        return no_match(
            "name is not section_NN_{source,target}_test_NNNN or section_NN_NNNN (evaluation)",
            false);
    }

    const std::string folder = parts.folder(1);
    if (auto problem = check_dcase_folder(folder, Split::test, named_domain)) {
        return no_match(*problem, true);
    }
    if (named_domain) {
        name.domain = *named_domain;
    } else if (folder == "source_test") {
        name.domain = Domain::source;
    } else if (folder == "target_test") {
        name.domain = Domain::target;
    }
    name.device = parts.folder(2);
    if (name.device.empty()) {
        return no_match("evaluation name without a machine folder above its test folder", true);
    }
    return NameMatch{std::move(name), {}, true};
}

// --- MIMII --------------------------------------------------------------------------------

NameMatch parse_mimii(const PathParts& parts) {
    static const std::regex clip(R"(^(\d+)$)");
    static const std::regex machine_id(R"(^id_(\d{2})$)");
    static const std::regex snr_folder(R"(^(-?\d+)_dB_(.+)$)");
    std::smatch match;
    if (!std::regex_match(parts.stem(), match, clip)) {
        return no_match("name is not NNNNNNNN (MIMII)", false);
    }
    ParsedName name;
    name.scheme = "mimii";
    name.index = to_int64(match[1]);

    const std::string label_folder = parts.folder(1);
    if (label_folder != "normal" && label_folder != "abnormal") {
        return no_match(fmt::format("numbered clip in folder '{}': expected MIMII "
                                    "<machine>/id_NN/{{normal,abnormal}}/",
                                    label_folder),
                        true);
    }
    name.label = label_folder == "normal" ? Label::normal : Label::anomaly;

    const std::string id_folder = parts.folder(2);
    if (!std::regex_match(id_folder, match, machine_id)) {
        return no_match(fmt::format("MIMII clip in folder '{}/{}': expected id_NN/{}/", id_folder,
                                    label_folder, label_folder),
                        true);
    }
    name.section = to_int(match[1]);
    name.device = parts.folder(3);
    if (name.device.empty()) {
        return no_match("MIMII clip without a machine folder above id_NN/", true);
    }

    const std::string top = parts.folder(4);
    if (std::regex_match(top, match, snr_folder)) {
        if (match[2] != name.device) {
            return no_match(fmt::format("MIMII folder '{}' names a different machine than its "
                                        "subfolder '{}'",
                                        top, name.device),
                            true);
        }
        name.attributes.emplace_back("snr_db", match[1]);
    }
    return NameMatch{std::move(name), {}, true};
}

// --- IDMT-ISA-ELECTRIC-ENGINE ---------------------------------------------------------------

NameMatch parse_idmt_engine(const PathParts& parts) {
    static const std::regex engine_folder(R"(^engine(\d+)_(good|broken|heavyload)$)");
    static const std::regex split_folder(R"(^(train|test)(_cut)?$)");
    static const std::regex trailing_number(R"(^.*?_?(\d+)$)");

    std::smatch engine_match;
    const std::string engine = parts.folder(1);
    if (!std::regex_match(engine, engine_match, engine_folder)) {
        return no_match(
            "folder is not engine<N>_{good,broken,heavyload} (IDMT-ISA-ELECTRIC-ENGINE)", false);
    }
    std::smatch split_match;
    const std::string split = parts.folder(2);
    if (!std::regex_match(split, split_match, split_folder)) {
        return no_match(fmt::format("IDMT engine folder inside '{}': expected "
                                    "{{train,test}}[_cut]/{}/",
                                    split, engine),
                        true);
    }

    ParsedName name;
    name.scheme = "idmt-engine";
    name.device = "engine";
    // NOTE: the three engines are treated as one machine (section 0), so normal and
    // anomalous clips share a section. The engine number stays an attribute.
    name.section = 0;
    name.split = *parse_split(split_match[1].str());
    // Heavy load is an abnormal operating condition, so it counts as anomaly. The condition
    // attribute keeps it apart from the broken engine.
    name.label = engine_match[2] == "good" ? Label::normal : Label::anomaly;
    std::smatch number;
    if (std::regex_match(parts.stem(), number, trailing_number)) {
        name.index = to_int64(number[1]);
    }
    name.attributes = {{"engine", engine_match[1]},
                       {"condition", engine_match[2]},
                       {"cut", split_match[2].matched ? "1" : "0"}};
    return NameMatch{std::move(name), {}, true};
}

}  // namespace

const std::vector<Scheme>& detected_schemes() {
    static const std::vector<Scheme> schemes = {Scheme::dcase2022, Scheme::dcase2021,
                                                Scheme::eval,      Scheme::dcase2020,
                                                Scheme::mimii,     Scheme::idmt_engine};
    return schemes;
}

std::string_view scheme_name(Scheme scheme) {
    for (const auto& [value, name] : scheme_names) {
        if (value == scheme) {
            return name;
        }
    }
    UADSCOPE_ASSERT(false);
}

std::optional<Scheme> parse_scheme(std::string_view name) {
    for (const auto& [value, text] : scheme_names) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

std::vector<Scheme> parse_scheme_list(std::string_view list) {
    if (list == "auto") {
        return detected_schemes();
    }
    std::vector<Scheme> schemes;
    while (true) {
        const auto end = list.find(',');
        const std::string_view name = list.substr(0, end);
        const auto scheme = parse_scheme(name);
        if (!scheme) {
            std::string valid = "auto";
            for (const auto& [value, text] : scheme_names) {
                valid += ", ";
                valid += text;
            }
            throw UsageError(
                fmt::format("unknown naming scheme '{}': use one or more of {}", name, valid));
        }
        schemes.push_back(*scheme);
        if (end == std::string_view::npos) {
            break;
        }
        list.remove_prefix(end + 1);
    }
    return schemes;
}

NameMatch parse_path(const fs::path& path, Scheme scheme) {
    const PathParts parts(path);
    switch (scheme) {
        case Scheme::dcase2020:
            return parse_dcase2020(parts);
        case Scheme::dcase2021:
        case Scheme::dcase2022:
            return parse_dcase_labelled(parts, scheme);
        case Scheme::eval:
            return parse_eval(parts);
        case Scheme::mimii:
            return parse_mimii(parts);
        case Scheme::idmt_engine:
            return parse_idmt_engine(parts);
        case Scheme::external: {
            ParsedName name;
            name.scheme = "external";
            return NameMatch{std::move(name), {}, true};
        }
    }
    UADSCOPE_ASSERT(false);
}

NameMatch parse_path(const fs::path& path, const std::vector<Scheme>& schemes) {
    std::optional<NameMatch> specific;
    for (const Scheme scheme : schemes) {
        NameMatch match = parse_path(path, scheme);
        if (match.name) {
            return match;
        }
        if (match.basename_matched && !specific) {
            specific = std::move(match);
        }
    }
    if (specific) {
        return std::move(*specific);
    }
    std::string tried;
    for (const Scheme scheme : schemes) {
        tried += tried.empty() ? "" : ", ";
        tried += scheme_name(scheme);
    }
    return no_match(fmt::format("no naming scheme matches (tried {}); index its folder with "
                                "--external NAME=DIR to include it without labels",
                                tried),
                    false);
}

bool is_audio_file(const fs::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".wav" || extension == ".flac" || extension == ".ogg";
}

}  // namespace uadscope::dataset
