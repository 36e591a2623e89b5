// Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/): small valid files of
// every format, made by the engine's own writers where it has one, so the fuzzer starts from
// inputs that reach deep into each parser. Run by hand after a format changes:
//   cmake --build build-fuzz --target make_fuzz_seeds
//   LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp build-fuzz/tests/fuzz/make_fuzz_seeds tests/fuzz/corpus
// Near-valid variants (truncated, one field off) come from libFuzzer's own mutations.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <zlib.h>
#include <torch/torch.h>
#include "ebm/base/error.h"
#include "ebm/schedule/schedule_curve.h"
#include "ebm/nn/model.h"
#include "ebm/eval/classifier.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "ebm/io/image_file.h"
#include "ebm/io/pytorch_export.h"
#include "ebm/sample/inpainting.h"

namespace fs = std::filesystem;

namespace {

constexpr int kIdxImagesMagic = 0x00000803;
constexpr int kIdxLabelsMagic = 0x00000801;
constexpr int kCifarRecordBytes = 1 + 3 * 32 * 32;

fs::path root;

std::string put(const std::string& target, const std::string& name, const std::string& bytes) {
    const fs::path path = root / target / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
}

std::string fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string bigEndian32(uint32_t value) {
    return {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
}

std::string gzipped(const std::string& bytes) {
    z_stream stream{};
    deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&stream, uLong(bytes.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    stream.avail_in = uInt(bytes.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = uInt(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

/// A byte pattern with some structure (a gradient), so the images are not all one value.
std::string pattern(size_t count, int seed) {
    std::string bytes(count, '\0');
    for (size_t i = 0; i < count; ++i) bytes[i] = char((i * 37 + seed * 11) & 0xff);
    return bytes;
}

std::string idxImages(uint32_t count, uint32_t side) {
    return bigEndian32(kIdxImagesMagic) + bigEndian32(count) + bigEndian32(side) + bigEndian32(side) +
           pattern(size_t(count) * side * side, 1);
}

std::string idxLabels(uint32_t count) {
    std::string labels;
    for (uint32_t i = 0; i < count; ++i) labels += char(i % 10);
    return bigEndian32(kIdxLabelsMagic) + bigEndian32(count) + labels;
}

/// Writes with a temporary name (the writers pick the format by extension) and returns the bytes.
template <class Write>
std::string viaFile(const std::string& extension, Write&& write) {
    const fs::path path = fs::temp_directory_path() / ("ebm-fuzz-seed" + extension);
    write(path.string());
    std::string bytes = fileBytes(path.string());
    fs::remove(path);
    return bytes;
}

ebm::Checkpoint tinyCheckpoint(const ebm::ModelConfig& config, bool withTraining) {
    torch::manual_seed(1);
    ebm::Checkpoint checkpoint;
    checkpoint.model = config;
    ebm::EnergyNet net = ebm::makeEnergyNet(config);
    checkpoint.weights = ebm::collectWeights(*net);
    if (withTraining) {
        checkpoint.hasTraining = true;
        checkpoint.step = 3;
        checkpoint.lossHistory = {1.0f, 0.5f, 0.25f};
        checkpoint.train.steps = 3;
        checkpoint.train.dataset = "toy:rings";
        checkpoint.train.emaDecay = 0.9;
        for (const auto& [name, tensor] : checkpoint.weights) checkpoint.averagedWeights[name] = tensor * 0.5;
    }
    return checkpoint;
}

ebm::ModelConfig tinyRes6() {
    ebm::ModelConfig config;
    config.arch = ebm::Architecture::Res6;
    config.baseWidth = 2;
    config.imageSize = 8;
    return config;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_fuzz_seeds CORPUS_FOLDER\n");
        return 2;
    }
    root = argv[1];
    try {
        const ebm::ModelConfig mlp = ebm::ModelConfig::mlp(2, 4, 2);
        // Native checkpoints: weights only, and with training state and averaged weights.
        for (bool training : {false, true}) {
            const std::string name = training ? "mlp-trained.ebm" : "mlp.ebm";
            put("fuzz_checkpoint", name, viaFile(".ebm", [&](const std::string& path) {
                    ebm::saveCheckpoint(tinyCheckpoint(mlp, training), path);
                }));
        }
        put("fuzz_checkpoint", "res6-w2.ebm", viaFile(".ebm", [&](const std::string& path) {
                ebm::saveCheckpoint(tinyCheckpoint(tinyRes6(), false), path);
            }));
        // PyTorch state_dicts in the reference layout (ebm export's writer).
        put("fuzz_pytorch", "mlp.pt", viaFile(".pt", [&](const std::string& path) {
                ebm::writePytorchStateDict(ebm::referenceStateDict(tinyCheckpoint(mlp, false)), path);
            }));
        put("fuzz_pytorch", "res6-w2.pt", viaFile(".pt", [&](const std::string& path) {
                ebm::writePytorchStateDict(ebm::referenceStateDict(tinyCheckpoint(tinyRes6(), false)), path);
            }));

        // .npy: the three element types the reader takes, points and images.
        // The evaluation classifier: a tiny one (the bundled file is 627 KB, over the inputs'
        // size limit a fast fuzz run wants).
        put("fuzz_classifier", "tiny-classifier.pt", viaFile(".pt", [](const std::string& path) {
                torch::manual_seed(1);
                ebm::ClassifierConfig config;
                config.widths = {2, 2, 2};
                config.imageSize = 8;
                config.featureDim = 4;
                config.numClasses = 2;
                ebm::Classifier net(config);
                ebm::ClassifierInfo info;
                info.dataset = "synthetic";
                ebm::saveClassifier(*net, info, path);
            }));
        put("fuzz_npy", "points-f32.npy", viaFile(".npy", [](const std::string& path) {
                ebm::writeNpy(path, torch::arange(8, torch::kFloat32).reshape({4, 2}));
            }));
        put("fuzz_npy", "points-f64.npy", viaFile(".npy", [](const std::string& path) {
                ebm::writeNpy(path, torch::linspace(-1, 1, 6, torch::kFloat64).reshape({3, 2}));
            }));
        put("fuzz_npy", "images-u8.npy", viaFile(".npy", [](const std::string& path) {
                ebm::writeNpy(path, torch::arange(32, torch::kUInt8).reshape({2, 1, 4, 4}));
            }));

        // IDX: images and labels, plain and gzipped; the gzip target takes its split byte first.
        const std::string images = idxImages(3, 5), labels = idxLabels(3);
        put("fuzz_idx", "images-idx3-ubyte", images);
        put("fuzz_idx", "labels-idx1-ubyte", labels);
        put("fuzz_idx", "images-idx3-ubyte.gz", gzipped(images));
        put("fuzz_idx", "labels-idx1-ubyte.gz", gzipped(labels));
        const char split = char(255 * images.size() / (images.size() + labels.size()));
        put("fuzz_idx_gzip", "images-and-labels", std::string(1, split) + images + labels);

        // CIFAR-10: one record, and two (labels 3 and 9).
        std::string record = std::string(1, char(3)) + pattern(kCifarRecordBytes - 1, 2);
        put("fuzz_cifar", "one-record.bin", record);
        put("fuzz_cifar", "two-records.bin", record + std::string(1, char(9)) + pattern(kCifarRecordBytes - 1, 3));

        // Pictures: gray and RGB PNG, a JPEG; masks of the model's side and of another.
        const torch::Tensor ramp = torch::linspace(0, 1, 48).reshape({3, 4, 4});
        put("fuzz_image", "rgb-4x4.png", viaFile(".png", [&](const std::string& path) { ebm::writeImage(path, ramp); }));
        put("fuzz_image", "gray-4x4.png", viaFile(".png", [&](const std::string& path) { ebm::writeImage(path, ramp.narrow(0, 0, 1)); }));
        put("fuzz_image", "rgb-8x6.jpg", viaFile(".jpg", [&](const std::string& path) {
                ebm::writeImage(path, torch::linspace(0, 1, 144).reshape({3, 6, 8}));
            }));
        put("fuzz_mask", "left-32.png", viaFile(".png", [](const std::string& path) { ebm::writeMask(path, ebm::presetMask("left", 32)); }));
        put("fuzz_mask", "centre-8.png", viaFile(".png", [](const std::string& path) { ebm::writeMask(path, ebm::presetMask("centre", 8)); }));

        // Schedules: a preset and a hand-shaped curve with every segment mode.
        put("fuzz_schedule", "quick.json", ebm::ScheduleCurve::preset("quick").toJson());
        put("fuzz_schedule", "shaped.json",
            ebm::ScheduleCurve(50, {{0, 2.0, ebm::SegmentMode::Exponential},
                                    {20, 0.5, ebm::SegmentMode::Constant},
                                    {30, 0.5, ebm::SegmentMode::Linear},
                                    {50, 0.01, ebm::SegmentMode::Linear}})
                .toJson());
    } catch (const ebm::Error& error) {
        std::fprintf(stderr, "make_fuzz_seeds: %s\n", error.what());
        return 1;
    }
    return 0;
}
