// ebm energy
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include "ebm/base/error.h"
#include "ebm/io/image_file.h"
#include "ebm/io/model_file.h"
#include "ebm/io/tensor_json.h"
#include "ebm/sample/energy_inspection.h"
#include "command_support.h"
#include "commands.h"

namespace ebm::cli {
namespace {

namespace fs = std::filesystem;

constexpr long long kMaxDraws = 100000;  // each draw is one pass over the images
/// Labels of every supported format are bytes; the bound only keeps a typo from overflowing.
constexpr long long kMaxClassLabel = 65535;
/// Gradient norms of clean images are printed for sets up to this size (one gradient pass).
constexpr int64_t kMaxGradNormImages = 4096;
constexpr int64_t kShownRows = 20;  // per-image energies in the text output

/// Which images a set holds, as the options name them.
struct SetRequest {
    std::string source;
    bool train = true;
    std::vector<int64_t> classes;  // empty: every image
    long long limit = 0;           // 0: all
    std::vector<ImageTransform> transforms;
    bool sameImages(const SetRequest& other) const
    {
        return source == other.source && train == other.train && classes == other.classes && limit == other.limit;
    }
};

/// A set as measured: its images, where each came from, and its figures.
struct ImageSet {
    SetRequest request;
    torch::Tensor images;
    torch::Tensor rows;              // int64 [N]: each image's position in its file or split
    std::vector<std::string> files;  // each image's picture file, when the set is pictures
    ImageEnergies measured;
};

std::vector<int64_t> classesOption(const CliArgs& args, const std::string& name)
{
    const std::vector<long long> values = integerList(args, name, 0, kMaxClassLabel);
    return {values.begin(), values.end()};
}

/// Runs `f`, naming option --name at the start of the message of an ebm::Error it throws.
template <typename F>
auto blamingOption(const std::string& name, F&& f) -> decltype(f())
{
    try {
        return f();
    } catch (const Error& e) {
        throw Error("--" + name + ": " + e.what());
    }
}

std::vector<ImageTransform> transformsOption(const CliArgs& args, const std::string& name)
{
    return blamingOption(name, [&] { return parseTransforms(args.text(name)); });
}

/// The picture files behind each row, when `source` is a picture or a folder of them (the
/// folder reader takes every PNG/JPEG sorted by name, and fails rather than skip one).
std::vector<std::string> pictureFiles(const std::string& source, int64_t count)
{
    std::error_code ec;
    if (fs::is_regular_file(source, ec) && isImageFileName(source))
        return {source};
    std::vector<std::string> files;
    if (fs::is_directory(source, ec))
        for (const fs::directory_entry& entry : fs::directory_iterator(source, ec))
            if (entry.is_regular_file(ec) && isImageFileName(entry.path().filename().string()))
                files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    return static_cast<int64_t>(files.size()) == count ? files : std::vector<std::string>{};
}

/// Loads the images of a request, before its transforms.
ImageSet loadSet(const SetRequest& request, const ModelConfig& config, const std::string& classesName)
{
    ImageSet set;
    set.request = request;
    Dataset data = openInput(request.source, config, request.train);
    set.files = pictureFiles(request.source, data.size());
    set.rows = torch::arange(data.size(), torch::kInt64);
    if (!request.classes.empty()) {
        set.rows = blamingOption(classesName, [&] { return classIndices(data, request.classes); });
        data.data = data.data.index_select(0, set.rows);
    }
    set.images = limitRows(data.data, request.limit);
    set.rows = limitRows(set.rows, request.limit);
    return set;
}

torch::Tensor transformed(const ImageSet& set, uint64_t seed, const std::string& optionName)
{
    return blamingOption(optionName, [&] { return applyTransforms(set.images, set.request.transforms, seed); });
}

void measure(ImageSet& set, EnergyNetImpl& net, const EnergyInspectionOptions& options, const std::string& label)
{
    ProgressBar bar(label);
    const auto started = std::chrono::steady_clock::now();
    auto progress = [&](int64_t done, int64_t total) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        bar.update(static_cast<double>(done) / total, std::to_string(done) + "/" + std::to_string(total),
                   done > 0 ? elapsed * (total - done) / done : 0.0);
    };
    set.measured = measureImageEnergies(net, set.images, options, progress, &g_interrupted);
    bar.finish();
}

std::string splitName(bool train) { return train ? "train" : "test"; }

/// Where a set came from, for the JSON output and the text summary.
Json describeSet(const SetRequest& request)
{
    Json out{{"source", request.source.empty() ? std::string("fashion-mnist") : request.source},
             {"split", splitName(request.train)},
             {"transform", describeTransforms(request.transforms)}};
    if (!request.classes.empty())
        out["classes"] = request.classes;
    return out;
}

/// How many of a set's energies are NaN or infinite.
int64_t nonFiniteEnergies(const ImageSet& set)
{
    return set.measured.energy.defined() ? (~torch::isfinite(set.measured.energy)).sum().item<int64_t>() : 0;
}

/// The start of the note on non-finite energies, the same in the text and the JSON output.
std::string nonFiniteNote(int64_t count)
{
    return std::to_string(count) + " energies are NaN or infinite (the model overflowed on them)";
}

/// The per-image figures and their summaries, with the keys the JSON output has always used.
void addFigures(Json& out, const ImageSet& set)
{
    const ScoreSummary energy = summarize(set.measured.energy);
    out["count"] = energy.count;
    out["mean"] = energy.mean;
    out["std"] = energy.std;
    // JSON has no NaN or infinity: such values are written as null, and said so here.
    if (const int64_t nonFinite = nonFiniteEnergies(set); nonFinite > 0) {
        out["non_finite_energies"] = nonFinite;
        out["note"] = nonFiniteNote(nonFinite) + "; they and the summaries they enter are written as null";
    }
    out["energies"] = tensorToJson(set.measured.energy);
    out["spreads"] = tensorToJson(set.measured.spread);
    if (set.measured.residual.defined()) {
        const ScoreSummary residual = summarize(set.measured.residual);
        out["residual_mean"] = residual.mean;
        out["residual_std"] = residual.std;
        out["residuals"] = tensorToJson(set.measured.residual);
    }
}

Json rocJson(const std::vector<RocPoint>& curve)
{
    Json thresholds = Json::array(), fpr = Json::array(), tpr = Json::array();
    for (const RocPoint& p : curve) {
        thresholds.push_back(p.threshold);
        fpr.push_back(p.falsePositiveRate);
        tpr.push_back(p.truePositiveRate);
    }
    return Json{{"threshold", thresholds}, {"false_positive_rate", fpr}, {"true_positive_rate", tpr}};
}

std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

void writeCsv(const std::string& path, const std::vector<const ImageSet*>& sets, const std::vector<std::string>& names)
{
    std::ofstream csv(path);
    if (!csv)
        throw Error(path + ": cannot write the CSV file");
    csv.precision(std::numeric_limits<float>::max_digits10);
    csv << "set,index,energy,spread,residual\n";
    for (size_t s = 0; s < sets.size(); ++s) {
        const ImageSet& set = *sets[s];
        const bool residual = set.measured.residual.defined();
        for (int64_t i = 0; i < set.measured.energy.numel(); ++i) {
            const int64_t row = set.rows[i].item<int64_t>();
            csv << names[s] << ','
                << (set.files.empty() ? std::to_string(row) : csvField(set.files[static_cast<size_t>(row)])) << ','
                << set.measured.energy[i].item<double>() << ',' << set.measured.spread[i].item<double>() << ',';
            if (residual)
                csv << set.measured.residual[i].item<double>();
            csv << '\n';
        }
    }
    if (!csv.flush())
        throw Error(path + ": could not write the CSV file");
}

/// Text output: the JSON output's note on non-finite energies, with what to check.
void printNonFiniteNote(const ImageSet& set)
{
    if (const int64_t nonFinite = nonFiniteEnergies(set); nonFinite > 0)
        std::printf("note: %s; they and the summaries they enter are shown as nan; check that the images are in "
                    "[0, 1] and --noise-std is small (the paper's is 0.1)\n",
                    nonFiniteNote(nonFinite).c_str());
}

void printSummary(const char* name, const ImageSet& set)
{
    const ScoreSummary energy = summarize(set.measured.energy);
    std::string classes;
    for (int64_t c : set.request.classes)
        classes += (classes.empty() ? " classes " : ",") + std::to_string(c);
    std::printf("%-8s %s (%s%s, transform %s)\n         energy mean %.6g  std %.6g  over %lld images",
                name, describeSet(set.request)["source"].get<std::string>().c_str(), splitName(set.request.train).c_str(),
                classes.c_str(), describeTransforms(set.request.transforms).c_str(), energy.mean, energy.std,
                static_cast<long long>(energy.count));
    if (set.measured.residual.defined()) {
        const ScoreSummary residual = summarize(set.measured.residual);
        std::printf("\n         residual mean %.6g  std %.6g", residual.mean, residual.std);
    }
    std::printf("\n");
    printNonFiniteNote(set);
}

void addEnergyOptions(CliArgs& args)
{
    args.options(R"(
--input=         images: .npy, PNG/JPEG file or folder, MNIST/CIFAR folder, fashion-mnist, toy:NAME
--noise-std=0.1  add N(0, std^2) noise before measuring (sigma0 = 0.1 in the paper); 0 = none
--draws=8        noise draws to average per image
--seed=1         random seed of the noise (both sets start from it)
--limit=0        only the first N images (0 = all), counted after --classes
--test           use the test split of a data set
--classes=       only these classes of a labelled data set, e.g. 0,1,2
--transform=     change the --input images first: invert (1-x), flip (left-right), noise:STD,
                 shift:DX or shift:DX:DY (pixels right and down, zeros moved in); comma-separated
                 to chain, e.g. flip,noise:0.1
--compare=       a second set, scored as outliers against --input (default: the --input set, when
                 any --compare-* option is given)
--compare-split=same     split of the second set: same (as --input), train or test
--compare-classes=       only these classes of the second set (default: --classes when --compare
                         is not given)
--compare-transform=     change the second set's images, as --transform (e.g. invert, noise:0.3)
--compare-limit=         only the first N images of the second set (default: --limit)
--residual       also the denoising residual ||sigma0^2 dE/dx||, at the noisy points, averaged
                 over the draws (an input gradient per draw), with its own AUROC
--csv=           write the per-image table to this file: set,index,energy,spread,residual
                 (index: the image's position in its file or split; its file for pictures)
--json           print JSON (energies, spreads, gradient norms when --noise-std 0, summary;
                 with a second set also its figures, the AUROC and the ROC curve)
)");
    addPrecisionOption(args);
}

/// --input and its options: --test, --limit, --classes, --transform.
SetRequest inputRequestFrom(const CliArgs& args)
{
    SetRequest request;
    request.source = args.text("input");
    request.train = !args.isSet("test");
    request.limit = args.integerIn("limit", 0, std::numeric_limits<long long>::max());
    if (args.isSet("classes"))
        request.classes = classesOption(args, "classes");
    request.transforms = transformsOption(args, "transform");
    return request;
}

/// Any --compare* option asks for a second set.
bool comparesTwoSets(const CliArgs& args)
{
    return args.isSet("compare") || args.isSet("compare-split") || args.isSet("compare-classes") ||
           args.isSet("compare-transform") || args.isSet("compare-limit");
}

/// The second set: --compare and the --compare-* options, which default to the input's.
SetRequest compareRequestFrom(const CliArgs& args, const SetRequest& input)
{
    SetRequest request;
    request.source = args.isSet("compare") ? args.text("compare") : input.source;
    const std::string split = args.text("compare-split");
    if (split != "same" && split != "train" && split != "test")
        throw Error("--compare-split must be same, train or test, not '" + split + "'");
    request.train = split == "same" ? input.train : split == "train";
    request.limit = args.isSet("compare-limit")
                        ? args.integerIn("compare-limit", 0, std::numeric_limits<long long>::max())
                        : input.limit;
    if (args.isSet("compare-classes"))
        request.classes = classesOption(args, "compare-classes");
    else if (!args.isSet("compare"))
        request.classes = input.classes;
    request.transforms = transformsOption(args, "compare-transform");
    return request;
}

EnergyInspectionOptions inspectionOptionsFrom(const CliArgs& args, double sigma0)
{
    EnergyInspectionOptions options;
    options.noiseStd = args.real("noise-std");
    options.draws = static_cast<int>(args.integerIn("draws", 1, kMaxDraws));
    options.seed = static_cast<uint64_t>(args.longInteger("seed"));
    options.residual = args.isSet("residual");
    options.sigma0 = sigma0;
    options.precision = precisionFrom(args);
    return options;
}

/// The second set's images, transformed: a transformed copy of the input's when they are the
/// same images (read once), else its own.
ImageSet loadCompareSet(const CliArgs& args, const ImageSet& input, const SetRequest& request,
                        const ModelConfig& config, uint64_t seed)
{
    ImageSet compare;
    if (request.sameImages(input.request)) {
        compare = input;
        compare.request = request;
    } else {
        compare = loadSet(request, config, args.isSet("compare-classes") ? "compare-classes" : "classes");
    }
    // Its own seed: a noise transform of the second set is not the first set's noise.
    compare.images = transformed(compare, seed + 1, "compare-transform");
    return compare;
}

/// The comparison of the two sets: each score's AUROC as an outlier score.
struct Comparison {
    double energyAuroc = 0.0;
    double residualAuroc = 0.0;
};

/// --json: the settings, the input's figures and, with a second set, its figures and the comparison.
void printEnergyJson(const OpenedModel& model, const EnergyInspectionOptions& options, const ImageSet& input,
                     const torch::Tensor& gradNorms, const ImageSet* compare, const Comparison& comparison)
{
    Json out{{"model", model.checkpoint.sourcePath},
             {"architecture", model.net->config().describe()},
             {"noise_std", options.noiseStd},
             {"draws", options.noiseStd > 0 ? options.draws : 1},
             {"seed", options.seed},
             {"input", describeSet(input.request)}};
    addFigures(out, input);
    if (gradNorms.defined())
        out["grad_norms"] = tensorToJson(gradNorms);
    if (compare) {
        Json second = describeSet(compare->request);
        addFigures(second, *compare);
        out["compare"] = second;
        out["auroc"] = comparison.energyAuroc;
        if (options.residual)
            out["auroc_residual"] = comparison.residualAuroc;
        out["roc"] = rocJson(rocCurve(input.measured.energy, compare->measured.energy));
    }
    printJsonLine(out);
}

void printComparison(const ImageSet& input, const ImageSet& compare, const Comparison& comparison, bool residual)
{
    printSummary("input", input);
    printSummary("compare", compare);
    std::printf("AUROC %.4f  (energy as outlier score: the chance that a second-set image has the higher energy)\n",
                comparison.energyAuroc);
    if (residual)
        std::printf("AUROC %.4f  (residual as outlier score)\n", comparison.residualAuroc);
}

/// The first energies, one a line, and the summary.
void printEnergies(const ImageSet& input, bool residual)
{
    const torch::Tensor& energies = input.measured.energy;
    const ScoreSummary summary = summarize(energies);
    const int64_t shown = std::min<int64_t>(energies.numel(), kShownRows);
    for (int64_t i = 0; i < shown; ++i)
        std::printf("%6lld  %.6g\n", static_cast<long long>(i), energies[i].item<double>());
    if (shown < energies.numel())
        std::printf("   ... (%lld more; --json prints all)\n", static_cast<long long>(energies.numel() - shown));
    std::printf("mean %.6g  std %.6g  over %lld images\n", summary.mean, summary.std,
                static_cast<long long>(summary.count));
    if (residual) {
        const ScoreSummary residualSummary = summarize(input.measured.residual);
        std::printf("residual mean %.6g  std %.6g\n", residualSummary.mean, residualSummary.std);
    }
    printNonFiniteNote(input);
}

}  // namespace

int runEnergy(int argc, char** argv)
{
    CliArgs args("energy", "Energies of images, averaged over noise draws (energies at clean data are not trained), "
                           "and the comparison of two sets: AUROC of the energy as an outlier score.\n"
                           "Exit status 3: some energies were not finite (NaN or infinite; the output says how "
                           "many).");
    addEnergyOptions(args);
    ModelCommand command = startModelCommand(args, argc, argv);
    const torch::Device device = command.device;
    OpenedModel& model = command.model;
    const ModelConfig& config = model.net->config();
    refuseSharedFiles({{"model", model.path}, {"input", args.text("input")}, {"compare", args.text("compare")}},
                      namedFiles(args, {"csv"}));

    const SetRequest inputRequest = inputRequestFrom(args);
    const bool comparing = comparesTwoSets(args);
    const SetRequest compareRequest = comparing ? compareRequestFrom(args, inputRequest) : SetRequest();
    const EnergyInspectionOptions options = inspectionOptionsFrom(args, model.sigma0);

    stopOnInterrupt();
    ImageSet input = loadSet(inputRequest, config, "classes");
    ImageSet compare;
    if (comparing)
        compare = loadCompareSet(args, input, compareRequest, config, options.seed);
    input.images = transformed(input, options.seed, "transform");

    measure(input, *model.net, options, "energy");
    if (comparing)
        measure(compare, *model.net, options, "energy (second set)");

    torch::Tensor gradNorms;
    if (options.noiseStd == 0.0 && input.images.size(0) <= kMaxGradNormImages) {
        auto eg = energyAndGrad(*model.net, input.images.to(device));
        gradNorms = eg.grad.flatten(1).norm(2, 1).to(torch::kCPU);
    }
    if (!args.text("csv").empty()) {
        std::vector<const ImageSet*> sets{&input};
        if (comparing)
            sets.push_back(&compare);
        writeCsv(args.text("csv"), sets, {"input", "compare"});
    }
    Comparison comparison;
    if (comparing) {
        comparison.energyAuroc = auroc(input.measured.energy, compare.measured.energy);
        if (options.residual)
            comparison.residualAuroc = auroc(input.measured.residual, compare.measured.residual);
    }

    if (args.isSet("json"))
        printEnergyJson(model, options, input, gradNorms, comparing ? &compare : nullptr, comparison);
    else if (comparing)
        printComparison(input, compare, comparison, options.residual);
    else
        printEnergies(input, options.residual);
    const bool allFinite = nonFiniteEnergies(input) == 0 && (!comparing || nonFiniteEnergies(compare) == 0);
    return allFinite ? 0 : kNonFiniteExitStatus;
}

}  // namespace ebm::cli
