// ImageInfo (Mail::SpamAssassin::Plugin::ImageInfo): tests on the GIF, PNG and JPEG images a
// message carries as base64 parts: how many, their names, their dimensions (read from the image
// headers, never by decoding pixels), the area they cover and its ratio to the text.
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "filters/content/eval/eval_registry.h"
#include "filters/content/eval/evidence_number.h"
#include "filters/content/eval/families.h"
#include "filters/content/eval/message_facts.h"
#include "filters/content/eval/sa_mime_parts.h"

namespace portcullis::content {
namespace {

enum ImageType { kGif, kPng, kJpeg, kImageTypes };

struct Dimensions {
  uint32_t height = 0;
  uint32_t width = 0;
};

uint32_t bigEndian(std::string_view data, size_t at, size_t bytes) {
  uint32_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value = value << 8 | static_cast<unsigned char>(data[at + i]);
  return value;
}

uint32_t littleEndian16(std::string_view data, size_t at) {
  return static_cast<unsigned char>(data[at]) |
         static_cast<uint32_t>(static_cast<unsigned char>(data[at + 1])) << 8;
}

// The logical screen size of a GIF.
Dimensions gifDimensions(std::string_view data) {
  if (data.size() < 10 || !(data.starts_with("GIF87a") || data.starts_with("GIF89a"))) return {};
  return {littleEndian16(data, 8), littleEndian16(data, 6)};
}

// The size in a PNG's IHDR chunk, looked for the way ImageInfo walks the file: eight bytes at a
// time from the signature on, stopping at IEND.
Dimensions pngDimensions(std::string_view data) {
  if (!data.starts_with(std::string_view("\x89PNG\r\n\x1a\n", 8))) return {};
  for (size_t at = 8; at < data.size(); at += 8) {
    if (at + 8 > data.size()) break;
    const uint32_t length = bigEndian(data, at, 4);
    const std::string_view type = data.substr(at + 4, 4);
    if (type == "IEND") break;
    if (type != "IHDR" || length != 13) continue;
    if (at + 16 > data.size()) break;
    return {bigEndian(data, at + 12, 4), bigEndian(data, at + 8, 4)};
  }
  return {};
}

bool isStartOfFrame(unsigned mark) {
  return (mark >= 0xc0 && mark <= 0xc3) || (mark >= 0xc5 && mark <= 0xc7) ||
         (mark >= 0xc9 && mark <= 0xcb) || (mark >= 0xcd && mark <= 0xcf);
}

// The size in a JPEG's start-of-frame segment, reached by walking the segments.
Dimensions jpegDimensions(std::string_view data) {
  if (!data.starts_with("\xff\xd8")) return {};
  size_t at = 2;
  while (at + 4 <= data.size()) {
    const unsigned marker = static_cast<unsigned char>(data[at]);
    const unsigned mark = static_cast<unsigned char>(data[at + 1]);
    const uint32_t length = bigEndian(data, at + 2, 2);
    if (marker != 0xff || mark == 0xda || mark == 0xd9 || length < 2) break;
    at += 4;
    const size_t block = std::min<size_t>(length - 2, data.size() - at);
    if (isStartOfFrame(mark)) {
      if (block < 5) return {};
      return {bigEndian(data, at + 1, 2), bigEndian(data, at + 3, 2)};
    }
    at += block;
  }
  return {};
}

// ImageInfo::_get_images: per type (and for all), the count, the area covered and the set of
// dimensions of the base64 image parts, and the names of those whose size could be read.
struct ImageFacts {
  std::array<double, kImageTypes + 1> count{};
  std::array<double, kImageTypes + 1> area{};
  std::array<std::set<std::pair<uint32_t, uint32_t>>, kImageTypes + 1> sizes;  // (h, w)
  std::set<std::string> names;
};

constexpr size_t kAll = kImageTypes;

std::optional<ImageType> imageType(std::string_view type) {
  if (type == "image/gif") return kGif;
  if (type == "image/png") return kPng;
  if (type == "image/jpeg" || type == "image/jpg") return kJpeg;
  return std::nullopt;
}

ImageFacts gatherImages(const SaMimeParts& parts) {
  ImageFacts facts;
  for (const SaPart& part : parts.parts) {
    const auto type = imageType(part.type);
    if (!part.leaf || !type || part.transfer_encoding != "base64") continue;
    const std::string& data = part.part->decoded;
    const Dimensions size = *type == kGif   ? gifDimensions(data)
                            : *type == kPng ? pngDimensions(data)
                                            : jpegDimensions(data);
    facts.count[*type] += 1;
    facts.count[kAll] += 1;
    if (size.height == 0 || size.width == 0) continue;
    const double area = static_cast<double>(size.height) * static_cast<double>(size.width);
    facts.area[*type] += area;
    facts.area[kAll] += area;
    facts.sizes[*type].insert({size.height, size.width});
    facts.sizes[kAll].insert({size.height, size.width});
    if (!part.name.empty()) facts.names.insert(part.name);
  }
  return facts;
}

const ImageFacts* imageFacts(const EvalInput& in) {
  if (!in.view.message) return nullptr;
  return &in.facts.get<ImageFacts>([&] { return gatherImages(saMimeParts(in)); });
}

// The index of a type argument ('all', 'gif', 'png', 'jpeg'), or nullopt.
std::optional<size_t> typeIndex(const std::string& name) {
  if (name == "all") return kAll;
  if (name == "gif") return kGif;
  if (name == "png") return kPng;
  if (name == "jpeg") return kJpeg;
  return std::nullopt;
}

// ImageInfo::result_check.
bool inRange(double value, double min, std::optional<double> max, bool max_exclusive = false) {
  if (value < min) return false;
  if (max && value > *max) return false;
  return !(max_exclusive && max && value == *max);
}

// (type, min[, max]) with numbers.
struct TypeRange {
  size_t type = kAll;
  double min = 0;
  std::optional<double> max;
};

std::optional<TypeRange> typeRange(const std::vector<std::string>& args, bool max_required) {
  if (args.size() < (max_required ? 3u : 2u) || args.size() > 3) return std::nullopt;
  TypeRange out;
  const auto type = typeIndex(args[0]);
  if (!type || !evalNumber(args[1], out.min)) return std::nullopt;
  out.type = *type;
  if (args.size() == 3) {
    double max = 0;
    if (!evalNumber(args[2], max)) return std::nullopt;
    out.max = max;
  }
  return out;
}

const char* kTypeNames[] = {"gif", "png", "jpeg", "image"};

}  // namespace

void registerImageEvals(EvalRegistry& registry) {
  registry.add(
      "image_count", [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        const auto range = typeRange(args, false);
        if (!range) return evalArgumentError("image_count", "(all|gif|png|jpeg, min[, max])");
        return EvalBuild::success([r = *range](const EvalInput& in, std::string* evidence) {
          const ImageFacts* facts = imageFacts(in);
          if (!facts || !inRange(facts->count[r.type], r.min, r.max)) return false;
          if (evidence)
            *evidence = evidenceNumber<6>(facts->count[r.type]) + " " + kTypeNames[r.type] + "(s)";
          return true;
        });
      });

  registry.add(
      "pixel_coverage", [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        const auto range = typeRange(args, false);
        if (!range) return evalArgumentError("pixel_coverage", "(all|gif|png|jpeg, min[, max])");
        return EvalBuild::success([r = *range](const EvalInput& in, std::string* evidence) {
          const ImageFacts* facts = imageFacts(in);
          if (!facts || !inRange(facts->area[r.type], r.min, r.max)) return false;
          if (evidence)
            *evidence = evidenceNumber<6>(facts->area[r.type]) + " pixels of " + kTypeNames[r.type];
          return true;
        });
      });

  // SpamAssassin measures the text the rule type sees; an eval does not know its rule's type
  // here, so this is the rendered body text (body rules).
  registry.add(
      "image_to_text_ratio",
      [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        const auto range = typeRange(args, true);
        if (!range) return evalArgumentError("image_to_text_ratio", "(all|gif|png|jpeg, min, max)");
        return EvalBuild::success([r = *range](const EvalInput& in, std::string* evidence) {
          const ImageFacts* facts = imageFacts(in);
          if (!facts || facts->area[r.type] <= 0) return false;
          const double text = static_cast<double>(in.view.body.size());
          if (text == 0) return false;
          const double ratio = text / facts->area[r.type];
          if (!inRange(ratio, r.min, r.max, true)) return false;
          if (evidence) *evidence = "text/pixel ratio " + evidenceNumber<6>(ratio);
          return true;
        });
      });

  registry.add(
      "image_size_exact", [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        double height = 0, width = 0;
        const auto type = args.size() == 3 ? typeIndex(args[0]) : std::nullopt;
        if (!type || !evalNumber(args[1], height) || !evalNumber(args[2], width))
          return evalArgumentError("image_size_exact", "(all|gif|png|jpeg, height, width)");
        return EvalBuild::success(
            [type = *type, height, width](const EvalInput& in, std::string* evidence) {
              const ImageFacts* facts = imageFacts(in);
              if (!facts) return false;
              for (const auto& [h, w] : facts->sizes[type]) {
                if (h != height || w != width) continue;
                if (evidence)
                  *evidence = "image of " + evidenceNumber<6>(h) + "x" + evidenceNumber<6>(w);
                return true;
              }
              return false;
            });
      });

  registry.add(
      "image_size_range", [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        const auto type = args.size() >= 3 && args.size() <= 5 ? typeIndex(args[0]) : std::nullopt;
        std::vector<double> n;
        for (size_t i = 1; type && i < args.size(); ++i) {
          double value = 0;
          if (!evalNumber(args[i], value)) break;
          n.push_back(value);
        }
        if (!type || n.size() != args.size() - 1)
          return evalArgumentError(
              "image_size_range",
              "(all|gif|png|jpeg, min_height, min_width[, max_height, max_width])");
        n.resize(4, -1);
        return EvalBuild::success(
            [type = *type, n, given = args.size() - 1](const EvalInput& in, std::string* evidence) {
              const ImageFacts* facts = imageFacts(in);
              if (!facts) return false;
              for (const auto& [h, w] : facts->sizes[type]) {
                if (h < n[0] || w < n[1]) continue;
                if (given >= 3 && h > n[2]) continue;
                if (given >= 4 && w > n[3]) continue;
                if (evidence)
                  *evidence = "image of " + evidenceNumber<6>(h) + "x" + evidenceNumber<6>(w);
                return true;
              }
              return false;
            });
      });

  registry.add(
      "image_named", [](const std::vector<std::string>& args, EvalBuildContext&) -> EvalBuild {
        if (args.size() != 1) return evalArgumentError("image_named", "(name)");
        return EvalBuild::success([name = args[0]](const EvalInput& in, std::string* evidence) {
          const ImageFacts* facts = imageFacts(in);
          if (!facts || !facts->names.count(name)) return false;
          if (evidence) *evidence = "image " + name;
          return true;
        });
      });
}

}  // namespace portcullis::content
