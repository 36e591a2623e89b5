// ebm path
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ebm/base/atomic_file.h"
#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/io/image_file.h"
#include "ebm/io/model_file.h"
#include "ebm/sample/energy_path.h"
#include "command_support.h"
#include "commands.h"
#include "settings_from_image.h"

namespace ebm::cli {
namespace {

/// Digits of the CSV's numbers: every float32 the model gives, back exactly.
constexpr int kCsvDigits = std::numeric_limits<float>::max_digits10;

/// One end of the path as --from or --to names it: a source (a picture, a .npy, a data set) and
/// the item in it.
struct PathEnd {
    std::string option;  // "from" or "to"
    std::string spec;    // as given
    std::string source;  // spec without a trailing ":INDEX"
    long long index = 0;
    bool indexGiven = false;
};

bool allDigits(const std::string& text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// "fashion-mnist:3" -> fashion-mnist, item 3; "toy:moons:7" -> toy:moons, item 7. A file or
/// folder that exists under the whole name is that file, colon and all.
PathEnd parseEnd(const CliArgs& args, const std::string& option)
{
    PathEnd end;
    end.option = option;
    end.spec = args.text(option);
    end.source = end.spec;
    if (end.spec.empty())
        throw Error("give --" + option + ": a picture, a .npy file, or SOURCE:INDEX (an item of a data set, e.g. "
                                         "fashion-mnist:3)");
    std::error_code ec;
    if (std::filesystem::exists(end.spec, ec))
        return end;
    const size_t colon = end.spec.rfind(':');
    if (colon == std::string::npos || !allDigits(end.spec.substr(colon + 1)))
        return end;
    end.source = end.spec.substr(0, colon);
    const std::string digits = end.spec.substr(colon + 1);
    if (digits.size() > 12)
        throw Error("--" + option + ": item " + digits + " is beyond any data set");
    end.index = std::stoll(digits);
    end.indexGiven = true;
    return end;
}

/// The item an end names, [C, H, W] (or [D] for points), on the CPU. Data sets are read once
/// when both ends come from the same one.
torch::Tensor loadEnd(const PathEnd& end, const ModelConfig& config, bool train, std::map<std::string, Dataset>& opened)
{
    auto found = opened.find(end.source);
    if (found == opened.end())
        found = opened.emplace(end.source, openInput(end.source, config, train)).first;
    const Dataset& data = found->second;
    const int64_t count = data.size();
    if (!end.indexGiven && count > 1)
        throw Error("--" + end.option + ": " + end.source + " holds " + std::to_string(count) +
                    " items; name one as " + end.source + ":INDEX (0 to " + std::to_string(count - 1) + ")");
    if (end.index >= count)
        throw Error("--" + end.option + ": item " + std::to_string(end.index) + " is beyond the " +
                    std::to_string(count) + " items of " + end.source);
    return data.data[end.index].to(torch::kCPU, torch::kFloat32).contiguous();
}

/// An end as the picture's settings keep it: the source (a file by its fingerprint) and the item.
Json endSettings(const PathEnd& end)
{
    Json settings = inputSettings(end.source);
    settings["index"] = end.index;
    return settings;
}

std::string numberText(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

void addPathOptions(CliArgs& args)
{
    args.options(R"(
--from=        the first end: a picture, a .npy holding one item, or SOURCE:INDEX, an item of a
               .npy, picture folder or data set (fashion-mnist:3, images.npy:0, toy:moons:5)
--to=          the second end, as --from
--test         take the items of a data set from its test split
--method=neb   line: the straight line only; neb: also the line relaxed to a minimum-energy
               path by a nudged elastic band (both are reported)
)");
    args.option("points", std::to_string(kDefaultPathPoints),
                "points on the path, both ends included (" + std::to_string(kMinPathPoints) + " to " +
                    std::to_string(kMaxPathPoints) + ")");
    args.option("iterations", std::to_string(kDefaultNebIterations),
                "neb: most steps of the band (it stops earlier when the force is under --tolerance)");
    args.option("step-size", numberText(kDefaultNebStepSize),
                "neb: first time step of the band's optimizer (FIRE; it adapts the step itself)");
    args.option("spring", numberText(kDefaultNebSpringConstant),
                "neb: spring constant that keeps the points evenly spaced along the band");
    args.option("tolerance", numberText(kDefaultNebForceTolerance),
                "neb: the band has converged when no point feels a larger force (energy per distance)");
    args.flag("no-climb", "neb: no climbing point (by default the highest point climbs to the saddle)");
    args.options(R"(
--out=         PNG strip of the path's images, a to b (neb: the line above, the relaxed path below)
--csv=         table: index,line_arc_length,line_energy and, with neb, relaxed_arc_length,relaxed_energy
               (arc length: Euclidean distance from the first end along the path)
--json         print one JSON object: settings, energies and arc lengths per point, barriers, the
               highest point, steps and the final force
)");
    addPrecisionOption(args);
}

PathOptions pathOptionsFrom(const CliArgs& args)
{
    PathOptions options;
    try {
        options.method = parsePathMethod(args.text("method"));
    } catch (const Error& e) {
        throw Error(std::string("--method: ") + e.what());
    }
    options.points = static_cast<int>(args.integerIn("points", kMinPathPoints, kMaxPathPoints));
    options.nebIterations = static_cast<int>(args.integerIn("iterations", 0, kMaxNebIterations));
    options.nebStepSize = args.real("step-size");
    if (options.nebStepSize <= 0.0)
        throw Error("--step-size must be positive, not " + args.text("step-size"));
    options.springConstant = args.real("spring");
    if (options.springConstant < 0.0)
        throw Error("--spring must be 0 or more, not " + args.text("spring"));
    options.forceTolerance = args.real("tolerance");
    if (options.forceTolerance < 0.0)
        throw Error("--tolerance must be 0 or more, not " + args.text("tolerance"));
    options.climbingImage = !args.isSet("no-climb");
    return options;
}

/// A path on the CPU, for the outputs.
EnergyPath onCpu(EnergyPath path)
{
    path.images = path.images.to(torch::kCPU, torch::kFloat32);
    return path;
}

int64_t nonFiniteEnergies(const EnergyPath& path)
{
    return std::count_if(path.energies.begin(), path.energies.end(), [](double e) { return !std::isfinite(e); });
}

/// A path's figures under the keys of the JSON output (NaN and infinities are written as null).
Json pathJson(const EnergyPath& path, bool relaxed)
{
    Json out{{"energies", path.energies},
             {"arc_length", path.arcLength},
             {"barrier", path.barrier},
             {"saddle_index", path.saddleIndex},
             {"saddle_energy", path.energies[static_cast<size_t>(path.saddleIndex)]},
             {"force_norm", path.finalForceNorm}};
    if (relaxed) {
        out["iterations"] = path.iterationsRun;
        out["converged"] = path.converged;
        out["stopped"] = path.stopped;
    }
    return out;
}

std::string csvTable(const EnergyPath& line, const EnergyPath* relaxed)
{
    std::ostringstream csv;
    csv.precision(kCsvDigits);
    csv << "index,line_arc_length,line_energy" << (relaxed ? ",relaxed_arc_length,relaxed_energy" : "") << '\n';
    for (size_t i = 0; i < line.energies.size(); ++i) {
        csv << i << ',' << line.arcLength[i] << ',' << line.energies[i];
        if (relaxed)
            csv << ',' << relaxed->arcLength[i] << ',' << relaxed->energies[i];
        csv << '\n';
    }
    return csv.str();
}

void printTable(const EnergyPath& line, const EnergyPath* relaxed)
{
    std::printf("%5s  %12s  %12s", "point", "line arc", "line energy");
    if (relaxed)
        std::printf("  %12s  %12s", "relaxed arc", "relaxed E");
    std::printf("\n");
    for (size_t i = 0; i < line.energies.size(); ++i) {
        std::printf("%5zu  %12.6g  %12.6g", i, line.arcLength[i], line.energies[i]);
        if (relaxed)
            std::printf("  %12.6g  %12.6g", relaxed->arcLength[i], relaxed->energies[i]);
        std::printf("\n");
    }
    std::printf("line:    barrier %.6g at point %d (above the higher end)\n", line.barrier, line.saddleIndex);
    if (relaxed)
        std::printf("relaxed: barrier %.6g at point %d; %d steps, %s, largest force %.3g\n", relaxed->barrier,
                    relaxed->saddleIndex, relaxed->iterationsRun,
                    relaxed->converged ? "converged"
                    : relaxed->stopped ? "interrupted"
                                       : "not converged",
                    relaxed->finalForceNorm);
}

/// What the strip keeps of the run (ebm info --image shows it).
std::string pathSettings(const OpenedModel& model, const PathEnd& from, const PathEnd& to, bool train,
                         const PathOptions& options, Precision precision, const EnergyPath& line,
                         const EnergyPath* relaxed)
{
    Json details{{"from", endSettings(from)},
                 {"to", endSettings(to)},
                 {"split", train ? "train" : "test"},
                 {"method", toString(options.method)},
                 {"points", options.points},
                 {"precision", toString(precision)},
                 {"rows", relaxed ? "the straight line above, the relaxed path below" : "the straight line"},
                 {"line_barrier", line.barrier}};
    if (relaxed) {
        details["neb"] = Json{{"iterations", options.nebIterations},
                              {"step_size", options.nebStepSize},
                              {"spring_constant", options.springConstant},
                              {"climbing_image", options.climbingImage},
                              {"force_tolerance", options.forceTolerance},
                              {"iterations_run", relaxed->iterationsRun},
                              {"converged", relaxed->converged}};
        details["relaxed_barrier"] = relaxed->barrier;
    }
    return pictureSettings("path", &model, details);
}

}  // namespace

int runPath(int argc, char** argv)
{
    CliArgs args("path", "Energies along a path between two images (or points): the straight line between them, "
                         "and with --method neb the minimum-energy path a nudged elastic band relaxes it to. The "
                         "barrier is the highest interior point's energy above the higher end.\n"
                         "Exit status 3: some energies along the line were not finite (the output says how many).");
    addPathOptions(args);
    ModelCommand command = startModelCommand(args, argc, argv);
    const torch::Device device = command.device;
    OpenedModel& model = command.model;
    const ModelConfig& config = model.net->config();
    const PathOptions options = pathOptionsFrom(args);
    const Precision precision = precisionFrom(args);
    const PathEnd from = parseEnd(args, "from"), to = parseEnd(args, "to");
    if (!config.isImageModel() && !args.text("out").empty())
        throw Error("--out draws a strip of images, but the model (" + config.describe() +
                    ") takes points; leave --out out and use --csv or --json");
    refuseSharedFiles({{"model", model.path}, {"from", from.source}, {"to", to.source}},
                      namedFiles(args, {"out", "csv"}));

    const bool train = !args.isSet("test");
    std::map<std::string, Dataset> opened;
    const torch::Tensor a = loadEnd(from, config, train, opened).to(device);
    const torch::Tensor b = loadEnd(to, config, train, opened).to(device);
    opened.clear();
    const BatchEnergy energy = modelEnergy(*model.net, precision);

    const EnergyPath line = onCpu(straightLinePath(energy, a, b, options.points));
    const int64_t lineNonFinite = nonFiniteEnergies(line);
    const bool relaxing = options.method == PathMethod::Neb && lineNonFinite == 0;
    if (options.method == PathMethod::Neb && !relaxing)
        spdlog::warn("the band is not relaxed: it cannot start from a line with energies that are not finite");
    EnergyPath relaxed;
    if (relaxing) {
        stopOnInterrupt();
        ProgressBar bar("path");
        const auto started = std::chrono::steady_clock::now();
        const int total = std::max(1, options.nebIterations);
        auto progress = [&](int step, const EnergyPath& band) {
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            char detail[96];
            std::snprintf(detail, sizeof detail, "step %d/%d, barrier %.4g, force %.3g", step, options.nebIterations,
                          band.barrier, band.finalForceNorm);
            bar.update(static_cast<double>(step) / total, detail, step > 0 ? elapsed * (total - step) / step : 0.0);
            return true;
        };
        relaxed = onCpu(relaxedPath(energy, a, b, options, progress, &g_interrupted));
        bar.finish();
        if (relaxed.stopped)
            spdlog::warn("interrupted after {} of {} steps: writing the band reached so far", relaxed.iterationsRun,
                         options.nebIterations);
    }
    const EnergyPath* shownRelaxed = relaxing ? &relaxed : nullptr;

    if (!args.text("out").empty()) {
        const torch::Tensor strip = relaxing ? torch::cat({line.images, relaxed.images}) : line.images;
        writeImage(args.text("out"), makeGrid(strip.clamp(0, 1), options.points),
                   pathSettings(model, from, to, train, options, precision, line, shownRelaxed));
    }
    if (!args.text("csv").empty())
        writeFileAtomically(args.text("csv"), csvTable(line, shownRelaxed), "CSV table");

    const std::string note =
        lineNonFinite > 0 ? std::to_string(lineNonFinite) + " energies along the line are NaN or infinite (the model "
                                                            "overflowed on them)"
                          : std::string();
    if (args.isSet("json")) {
        const EnergyPath& result = relaxing ? relaxed : line;
        Json out{{"model", model.checkpoint.sourcePath},
                 {"from", from.spec},
                 {"to", to.spec},
                 {"method", toString(options.method)},
                 {"points", options.points},
                 {"barrier", result.barrier},
                 {"saddle_index", result.saddleIndex},
                 {"iterations", result.iterationsRun},
                 {"force_norm", result.finalForceNorm},
                 {"line_barrier", line.barrier}};
        if (relaxing)
            out["relaxed_barrier"] = relaxed.barrier;
        out["line"] = pathJson(line, false);
        if (relaxing)
            out["relaxed"] = pathJson(relaxed, true);
        if (!note.empty()) {
            out["non_finite_energies"] = lineNonFinite;
            out["note"] = note + "; they are written as null";
        }
        printJsonLine(out);
    } else {
        printTable(line, shownRelaxed);
        if (!note.empty())
            std::printf("note: %s; check that the images are in [0, 1]\n", note.c_str());
    }
    if (!args.text("out").empty())
        spdlog::info("wrote {}", args.text("out"));
    if (relaxing && relaxed.stopped)
        return interruptedExitStatus();
    return lineNonFinite > 0 ? kNonFiniteExitStatus : 0;
}

}  // namespace ebm::cli
