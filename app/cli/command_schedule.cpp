// ebm schedule
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "ebm/base/defaults.h"
#include "ebm/base/error.h"
#include "ebm/schedule/schedule_curve.h"
#include "command_support.h"
#include "commands.h"

namespace ebm::cli {

int runSchedule(int argc, char** argv)
{
    CliArgs args("schedule", "Print an annealing schedule: a curve file (ebm schedule FILE.json) or a preset, as "
                             "the schedule JSON or as step,temperature CSV for every step.");
    args.options(R"(
--preset=   fast, paper, paper-linear or quick (instead of a FILE.json)
--steps=0   rescale the curve to this many steps (0 = as it is)
--json      print the curve as an ebm-schedule JSON document
--csv       print step,temperature for every step (a header, then steps from 1)
)");
    // The file comes first, as in `ebm schedule my-curve.json --csv`.
    std::string file;
    if (argc > 0 && std::string(argv[0]).rfind("--", 0) != 0) {
        file = argv[0];
        --argc;
        ++argv;
    }
    args.parse(argc, argv);
    if (file.empty() == args.text("preset").empty())
        throw Error("give either a schedule file (ebm schedule FILE.json) or --preset NAME");
    if (args.isSet("json") == args.isSet("csv"))
        throw Error("choose one output: --json or --csv");
    ScheduleCurve curve = file.empty() ? ScheduleCurve::preset(args.text("preset")) : ScheduleCurve::load(file);
    if (const long long steps = args.integerIn("steps", 0, kMaxScheduleSteps); steps > 0)
        curve = curve.rescaled(static_cast<int>(steps));
    std::cout << (args.isSet("json") ? curve.toJson() : curve.toCsv());
    // A curve file holds temperatures only; a preset with its own step size says it, so that the
    // file runs as the preset does.
    if (const std::string preset = args.text("preset"); !preset.empty()) {
        const double stepSize = schedulePresetStepSize(preset, curve.steps());
        if (stepSize != kDefaultLangevinStepSize)
            spdlog::info("the {} preset runs at this length with --step-size {:.4g}; give it with this file", preset,
                         stepSize);
    }
    return 0;
}

}  // namespace ebm::cli
