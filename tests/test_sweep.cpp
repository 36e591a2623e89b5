// Sweeps (issue 27): axes "NAME=V1,V2,..." and their one-line refusals, a grid of sampling runs
// over one or two settings on a tiny network (each cell runs its values, the same seed gives the
// same pictures, a diverged cell is kept and the sweep goes on, Stop ends it), the estimate of its
// time, and the labelled picture of its cells.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <map>
#include <string>

#include "ebm/base/error.h"
#include "ebm/io/image_file.h"
#include "ebm/io/labelled_grid.h"
#include "ebm/sample/sweep.h"
#include "analytic_energies.h"
#include "test_support.h"

using namespace ebm;
using ebm::testing::QuadraticEnergyImpl;

namespace {

constexpr int kTinyImageSize = 8;

/// The message of the ebm::Error that `run` throws, or "" when it throws none.
template <typename F>
QString errorOf(F run)
{
    try {
        run();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

/// A Res6 of width 2 on 8x8 gray images, its weights drawn from `seed`: milliseconds a step.
EnergyNet tinyImageNet(uint64_t seed)
{
    torch::manual_seed(seed);
    return makeEnergyNet(testing::resNetConfig(Architecture::Res6, 2, kTinyImageSize));
}

SweepModel modelOf(const EnergyNet& net) { return SweepModel{net.get(), kDefaultSigma0, net}; }

/// A short quick schedule, 3 samples a cell, every step reported.
SamplingOptions shortRun(int steps = 6)
{
    SamplingOptions options;
    options.schedule = "quick";
    options.scheduleSteps = steps;
    options.numSamples = 3;
    options.seed = 5;
    options.reportEvery = 1;
    options.precision = Precision::Float32;
    return options;
}

SweepPlan planOf(SamplingOptions base, const std::vector<std::string>& axes)
{
    SweepPlan plan;
    plan.base = std::move(base);
    for (const std::string& axis : axes)
        plan.axes.push_back(parseSweepAxis(axis));
    return plan;
}

/// The cells of `result` by their values on the axes, joined by "|".
std::map<std::string, const SweepCell*> cellsByValues(const SweepResult& result)
{
    std::map<std::string, const SweepCell*> cells;
    for (const SweepCell& cell : result.cells) {
        std::string key;
        for (const std::string& value : cell.values)
            key += (key.empty() ? "" : "|") + value;
        cells[key] = &cell;
    }
    return cells;
}

/// Whether a horizontal strip of the picture holds anything but the white background.
bool stripHasInk(const LabelledGrid& grid, int top, int bottom)
{
    for (int y = top; y < bottom; ++y)
        for (int x = 0; x < grid.width * 3; ++x)
            if (grid.rgb[static_cast<size_t>(y) * grid.width * 3 + x] != 255)
                return true;
    return false;
}

}  // namespace

class TestSweep : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void axesAreParsedAsWritten()
    {
        const SweepAxis steps = parseSweepAxis("steps=300, 1000 ,2700");
        QVERIFY(steps.setting == SweepSetting::Steps);
        QCOMPARE(steps.values, (std::vector<std::string>{"300", "1000", "2700"}));
        QCOMPARE(steps.label(1), std::string("steps = 1000"));
        // The values keep their spelling: the labels show what the person wrote.
        QCOMPARE(parseSweepAxis("step-size=0.010,2e-2").values, (std::vector<std::string>{"0.010", "2e-2"}));
        QCOMPARE(parseSweepAxis(" sampler = langevin,mala").values, (std::vector<std::string>{"langevin", "mala"}));
        for (SweepSetting setting : sweepSettings())
            QVERIFY(parseSweepSetting(toString(setting)) == setting);
        QCOMPARE(int(sweepSettings().size()), 7);
        const SweepAxis models = makeSweepAxis(SweepSetting::Model, "a.ebm,b.pt");
        QCOMPARE(models.values, (std::vector<std::string>{"a.ebm", "b.pt"}));
    }

    void axesRefuseInOneLine()
    {
        const QString unknown = errorOf([] { parseSweepAxis("stepsize=0.01"); });
        QVERIFY2(unknown.startsWith("unknown sweep setting 'stepsize': use step-size, steps, temperature-scale, seed, "
                                    "sampler, precision or model"),
                 qPrintable(unknown));
        QVERIFY(errorOf([] { parseSweepAxis("step-size 0.01"); }).contains("NAME=VALUE,VALUE"));
        QVERIFY(errorOf([] { parseSweepAxis("step-size= , "); }).contains("give its values"));
        const std::vector<std::pair<const char*, const char*>> refused{
            {"steps=0", "'0' is not a whole number between 1 and 10000000"},
            {"steps=3.5", "'3.5' is not a whole number"},
            {"step-size=-0.01", "'-0.01' is not a positive number"},
            {"step-size=nan", "'nan' is not a positive number"},
            {"temperature-scale=0", "'0' is not a positive number"},
            {"seed=-1", "'-1' is not a whole number"},
            {"sampler=hmc", "unknown sampler 'hmc'"},
            {"precision=fp16", "unknown precision 'fp16'"},
        };
        for (const auto& [spec, expected] : refused) {
            const QString error = errorOf([spec = spec] { parseSweepAxis(spec); });
            QVERIFY2(error.contains(expected), qPrintable(QString("%1: %2").arg(spec, error)));
            QVERIFY2(!error.contains('\n'), qPrintable(error));
        }
    }

    void plansAreBounded()
    {
        QVERIFY(errorOf([] { validate(planOf(shortRun(), {})); }).contains("one or two axes, not 0"));
        QVERIFY(errorOf([] { validate(planOf(shortRun(), {"seed=1", "steps=2", "step-size=0.1"})); })
                    .contains("one or two axes, not 3"));
        QVERIFY(errorOf([] { validate(planOf(shortRun(), {"seed=1,2", "seed=3"})); })
                    .contains("both axes of the sweep vary seed"));
        QVERIFY(errorOf([] { validate(planOf(shortRun(), {"seed=1,2,3,4,5,6,7,8,9", "steps=1,2,3,4,5,6,7,8"})); })
                    .contains("72 cells is over the 64 allowed"));
        SamplingOptions many = shortRun();
        many.numSamples = 1100;
        QVERIFY(errorOf([&] { validate(planOf(many, {"seed=1,2,3,4"})); }).contains("over the 4096 samples"));
        many.numSamples = 1024;
        validate(planOf(many, {"seed=1,2,3,4"}));  // exactly the limit
    }

    void aTwoByTwoSweepRunsEachCellsValues()
    {
        const EnergyNet net = tinyImageNet(3);
        const Sweep sweep(planOf(shortRun(), {"steps=3,5", "seed=5,6"}), modelOf(net));
        QCOMPARE(sweep.cells(), 4);
        QCOMPARE(sweep.totalSteps(), int64_t(16));
        int64_t lastDone = 0;
        int progressCalls = 0, cellsEnded = 0;
        const SweepResult result = sweep.run(
            [&](const SweepProgress& p) {
                QCOMPARE(p.cells, 4);
                QVERIFY(p.stepsDone > lastDone);
                lastDone = p.stepsDone;
                ++progressCalls;
            },
            nullptr, [&](const SweepCell&) { ++cellsEnded; });
        QCOMPARE(progressCalls, 16);  // every step of every cell
        QCOMPARE(lastDone, int64_t(16));
        QCOMPARE(cellsEnded, 4);
        QVERIFY(!result.stopped);
        QCOMPARE(int(result.cells.size()), 4);
        // Row-major: columns are the steps, rows the seeds.
        QCOMPARE(result.cells[1].column, 1);
        QCOMPARE(result.cells[1].row, 0);
        QCOMPARE(result.cells[2].row, 1);
        auto cells = cellsByValues(result);
        for (const char* steps : {"3", "5"})
            for (const char* seed : {"5", "6"}) {
                const SweepCell* cell = cells.at(std::string(steps) + "|" + seed);
                QCOMPARE(int(cell->temperatures.size()), std::stoi(steps));  // the schedule ran that long
                QCOMPARE(cell->options.seed, uint64_t(std::stoull(seed)));
                QVERIFY(cell->samples.defined());
                QCOMPARE(cell->samples.sizes().vec(), (std::vector<int64_t>{3, 1, kTinyImageSize, kTinyImageSize}));
                QVERIFY(std::isfinite(cell->meanFinalEnergy));
                QVERIFY(cell->problem.empty());
            }
        // Another seed, other pictures; the same sweep again, the same pictures to the bit.
        QVERIFY(!torch::equal(cells.at("5|5")->samples, cells.at("5|6")->samples));
        const SweepResult again = sweep.run();
        for (size_t i = 0; i < result.cells.size(); ++i) {
            QVERIFY(torch::equal(result.cells[i].samples, again.cells[i].samples));
            QCOMPARE(again.cells[i].meanFinalEnergy, result.cells[i].meanFinalEnergy);
        }
        // The picture: the steps across, the seeds down, each labelled with its value.
        const GridAxisLabels seeds = sweepAxisLabels(sweep.plan(), 1);
        QCOMPARE(seeds.title, std::string("seed"));
        QCOMPARE(seeds.labels, (std::vector<std::string>{"seed = 5", "seed = 6"}));
        QVERIFY(sweepAxisLabels(sweep.plan(), 2).labels.empty());
        const LabelledGrid picture = sweepPicture(sweep.plan(), result);
        QCOMPARE(picture.columns, 2);
        QCOMPARE(picture.rows, 2);
        QCOMPARE(picture.cellHeight, int(makeGrid(result.cells[0].samples).size(1)));
    }

    void cellsOfOneSeedAreIdentical()
    {
        // Every cell starts from the sweep's seed: two cells that differ in nothing are one picture.
        const EnergyNet net = tinyImageNet(3);
        const SweepResult result = Sweep(planOf(shortRun(), {"seed=9,9,10"}), modelOf(net)).run();
        QCOMPARE(int(result.cells.size()), 3);
        QVERIFY(torch::equal(result.cells[0].samples, result.cells[1].samples));
        QVERIFY(!torch::equal(result.cells[0].samples, result.cells[2].samples));
    }

    void stepSizeAndTemperatureScaleReachTheSampler()
    {
        const EnergyNet net = tinyImageNet(4);
        const Sweep sweep(planOf(shortRun(8), {"step-size=0.01,0.03", "temperature-scale=1,2.5"}), modelOf(net));
        for (int i = 0; i < sweep.cells(); ++i)
            QCOMPARE(sweep.config(i).stepSize, i % 2 == 0 ? 0.01 : 0.03);
        const SweepResult result = sweep.run();
        const auto cells = cellsByValues(result);
        const std::vector<double>& cool = cells.at("0.01|1")->temperatures;
        const std::vector<double>& hot = cells.at("0.01|2.5")->temperatures;
        QCOMPARE(int(hot.size()), 8);
        QCOMPARE(hot.size(), cool.size());
        for (size_t step = 0; step < hot.size(); ++step)
            QVERIFY2(std::abs(hot[step] - 2.5 * cool[step]) <= 1e-9 * std::max(1.0, hot[step]),
                     qPrintable(QString("step %1: %2 vs 2.5 x %3").arg(step).arg(hot[step]).arg(cool[step])));
        // The unscaled curve is the preset's own schedule.
        const std::vector<double> preset = Schedule::preset("quick", 8).temperatures();
        QCOMPARE(cool.size(), preset.size());
        for (size_t step = 0; step < cool.size(); ++step)
            QVERIFY(std::abs(cool[step] - preset[step]) <= 1e-9 * std::max(1.0, preset[step]));
        QVERIFY(!torch::equal(cells.at("0.01|1")->samples, cells.at("0.03|1")->samples));
    }

    void aTemperatureScaleKeepsThePresetsStepSize()
    {
        // With no step size asked for, a scaled preset runs at the preset's own, not the paper's.
        SamplingOptions fast = shortRun(0);
        fast.schedule = "fast";
        fast.stepSize = 0.0;
        const SamplingOptions scaled = sweepCellOptions(planOf(fast, {"temperature-scale=2"}), 0);
        QVERIFY(scaled.curve.has_value());
        QCOMPARE(scaled.stepSize, schedulePresetStepSize("fast"));
    }

    void modelsComeFromTheCallersOpener()
    {
        const EnergyNet own = tinyImageNet(1);
        std::map<std::string, EnergyNet> files{{"a.ebm", tinyImageNet(2)}, {"b.ebm", tinyImageNet(3)}};
        std::vector<std::string> opened;
        const SweepModelOpener opener = [&](const std::string& path) {
            opened.push_back(path);
            if (!files.count(path))
                throw Error(path + ": no such model");
            return modelOf(files.at(path));
        };
        const Sweep sweep(planOf(shortRun(), {"model=a.ebm,b.ebm", "seed=5,6"}), modelOf(own), opener);
        QCOMPARE(opened, (std::vector<std::string>{"a.ebm", "b.ebm"}));  // each file once
        QVERIFY(sweep.model(0).net == files.at("a.ebm").get());
        QVERIFY(sweep.model(3).net == files.at("b.ebm").get());
        const SweepResult result = sweep.run();
        QCOMPARE(result.cells[0].model, std::string("a.ebm"));
        QVERIFY(!torch::equal(result.cells[0].samples, result.cells[1].samples));
        QVERIFY(errorOf([&] { const Sweep refused(planOf(shortRun(), {"model=c.ebm"}), modelOf(own), opener); })
                    .contains("c.ebm: no such model"));
        QVERIFY(errorOf([&] { const Sweep refused(planOf(shortRun(), {"model=a.ebm"}), modelOf(own)); })
                    .contains("cannot open model files"));
    }

    void aCellThatCannotRunIsRefusedBeforeAnyWork()
    {
        const EnergyNet net = tinyImageNet(1);
        SamplingOptions unknownPreset = shortRun();
        unknownPreset.schedule = "no-such-preset";
        const QString error = errorOf([&] { const Sweep refused(planOf(unknownPreset, {"seed=1,2"}), modelOf(net)); });
        QVERIFY2(error.startsWith("cell seed = 1: "), qPrintable(error));
        QVERIFY(errorOf([&] { const Sweep refused(planOf(shortRun(), {"seed=1"}), SweepModel{}); }).contains("no model"));
    }

    void aDivergedCellIsKeptAndTheSweepGoesOn()
    {
        // A quadratic energy of precision 1: a step size above 2 multiplies the state by more
        // than 1 at every step, until its energy is no number.
        const auto energy = std::make_shared<QuadraticEnergyImpl>(2, 1.0);
        energy->to(torch::kFloat32);
        SamplingOptions options = shortRun(60);
        const Sweep sweep(planOf(options, {"step-size=10,0.1"}), SweepModel{energy.get(), kDefaultSigma0, energy});
        const SweepResult result = sweep.run();
        QCOMPARE(int(result.cells.size()), 2);
        const SweepCell& diverged = result.cells[0];
        QVERIFY(std::isnan(diverged.meanFinalEnergy));
        QVERIFY(!diverged.samples.defined());
        QVERIFY2(QString::fromStdString(diverged.problem).contains("diverged"), diverged.problem.c_str());
        QVERIFY(std::isfinite(result.cells[1].meanFinalEnergy));
        QVERIFY(result.cells[1].samples.defined());
    }

    void stopEndsTheSweepAtTheNextStep()
    {
        const EnergyNet net = tinyImageNet(5);
        const Sweep sweep(planOf(shortRun(10), {"seed=1,2,3"}), modelOf(net));
        std::atomic<bool> cancel{false};
        const SweepResult result = sweep.run(
            [&](const SweepProgress& p) {
                if (p.cell == 1 && p.step == 3)
                    cancel = true;
            },
            &cancel);
        QVERIFY(result.stopped);
        QCOMPARE(int(result.cells.size()), 2);  // the first whole, the second stopped, no third
        QVERIFY(!result.cells[0].stopped);
        QVERIFY(result.cells[1].stopped);
        QVERIFY(std::isnan(result.cells[1].meanFinalEnergy));
        // Every cell of the plan has its place in the picture, those that did not end as grey boxes.
        const LabelledGrid picture = sweepPicture(sweep.plan(), result);
        QCOMPARE(picture.columns, 3);
        QCOMPARE(picture.rows, 1);
        QCOMPARE(picture.marginLeft, picture.border);  // one axis: no rows' labels
    }

    void theEstimateCountsEveryCellsSteps()
    {
        const EnergyNet net = tinyImageNet(6);
        const Sweep sweep(planOf(shortRun(), {"steps=3,5", "sampler=langevin,mala"}), modelOf(net));
        const SweepEstimate estimate = sweep.estimate();
        QCOMPARE(estimate.cells, 4);
        QCOMPARE(estimate.totalSteps, int64_t(16));
        QVERIFY(estimate.seconds > 0.0);
        QVERIFY(std::isfinite(estimate.seconds));
        // The warm-up draws nothing the sweep keeps: the cells are those of a sweep never estimated.
        const SweepResult estimated = sweep.run();
        const SweepResult fresh = Sweep(planOf(shortRun(), {"steps=3,5", "sampler=langevin,mala"}), modelOf(net)).run();
        for (size_t i = 0; i < fresh.cells.size(); ++i)
            QVERIFY(torch::equal(estimated.cells[i].samples, fresh.cells[i].samples));
    }

    void theLabelledGridIsTheCellsAndTheirMargins()
    {
        const int samples = 4;
        std::vector<LabelledGridCell> cells;
        for (int i = 0; i < 4; ++i)
            cells.push_back({torch::rand({samples, 1, kTinyImageSize, kTinyImageSize}), {}});
        const GridAxisLabels columns{"step-size", {"step-size = 0.01", "step-size = 0.02"}};
        const GridAxisLabels rows{"steps", {"steps = 300", "steps = 1000"}};
        const LabelledGrid grid = makeLabelledGrid(cells, 2, columns, rows);
        QCOMPARE(grid.columns, 2);
        QCOMPARE(grid.rows, 2);
        const int cellGridWidth = int(makeGrid(cells[0].images).size(2));
        const int cellGridHeight = int(makeGrid(cells[0].images).size(1));
        QVERIFY(grid.cellWidth >= cellGridWidth);
        QCOMPARE(grid.cellHeight, cellGridHeight);
        QCOMPARE(grid.width, grid.marginLeft + 2 * grid.cellWidth + grid.gap + grid.border);
        QCOMPARE(grid.height, grid.marginTop + 2 * grid.cellHeight + grid.gap + grid.border);
        QCOMPARE(grid.rgb.size(), size_t(grid.width) * grid.height * 3);
        QVERIFY(grid.marginTop > grid.border);
        const torch::Tensor picture = grid.toTensor();
        QCOMPARE(picture.sizes().vec(), (std::vector<int64_t>{3, grid.height, grid.width}));
        // A cell's pictures are there, pixel for pixel, centred in its box.
        const torch::Tensor first = makeGrid(cells[0].images);
        const int left = grid.marginLeft + (grid.cellWidth - cellGridWidth) / 2;
        const torch::Tensor shown = picture.narrow(1, grid.marginTop, cellGridHeight).narrow(2, left, cellGridWidth);
        QVERIFY((shown[0] - first[0]).abs().max().item<double>() <= 0.5 / 255 + 1e-6);

        // Without rows' labels the cells start at the border; with two scales, twice as wide.
        const LabelledGrid oneRow = makeLabelledGrid({cells[0], cells[1]}, 2, columns, {});
        QCOMPARE(oneRow.marginLeft, oneRow.border);
        const LabelledGrid scaled = makeLabelledGrid({cells[0], cells[1]}, 2, {}, {}, LabelledGridOptions{0, 3});
        QCOMPARE(scaled.cellWidth, 3 * cellGridWidth);
        QCOMPARE(scaled.cellHeight, 3 * cellGridHeight);
        // A cell without pictures is a grey box of the others' size.
        const LabelledGrid withBlank = makeLabelledGrid({cells[0], LabelledGridCell{{}, "diverged"}}, 2, columns, {});
        QCOMPARE(withBlank.width, oneRow.width);
        QVERIFY(errorOf([&] { makeLabelledGrid(cells, 3, columns, rows); }).contains("whole rows of 3 cells"));
        QVERIFY(errorOf([&] { makeLabelledGrid(cells, 2, GridAxisLabels{"x", {"only one"}}, rows); })
                    .contains("2 columns was given 1 labels"));

        if (!gridLabelsAvailable())
            QSKIP(qPrintable("no font to draw the labels with: " + QString::fromStdString(gridLabelsUnavailableReason())));
        QVERIFY(grid.labelsDrawn);
        QVERIFY(grid.marginLeft > grid.border);  // the rows' labels have room
        QVERIFY(stripHasInk(grid, 0, grid.marginTop));  // the titles and the columns' labels
        // The rows' labels: left of the cells, in the first row.
        bool ink = false;
        for (int y = grid.marginTop; y < grid.marginTop + grid.cellHeight && !ink; ++y)
            for (int x = 0; x < grid.marginLeft && !ink; ++x)
                ink = grid.rgb[(size_t(y) * grid.width + x) * 3] != 255;
        QVERIFY(ink);
    }
};

QTEST_APPLESS_MAIN(TestSweep)
#include "test_sweep.moc"
