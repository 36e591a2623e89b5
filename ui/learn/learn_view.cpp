#include "learn/learn_view.h"

#include "widgets/qcustomplot_include.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/job_handle.h"
#include "engine/studio_engine.h"
#include "learn/landscape_plot.h"
#include "widgets/plot_panel.h"
#include "widgets/run_controls.h"

namespace ebm::studio {
namespace {

constexpr const char* kDefaultData = "weighted8";
constexpr int kDefaultCount = 4000;
constexpr int kMaxPoints = 200000;
constexpr double kExtent = 3.0;               // the plane shown: [-3, 3]^2 holds the radius-2 circle and its noise
constexpr int kLiveGrid = 64;                 // landscape refreshes while training: a quarter of the bench's 128^2
constexpr int kFinalGrid = 128;
constexpr int kMaxFrames = 1500;              // timeline history (a few MB of positions)
constexpr int kTrailFrames = 4;
constexpr int kSidePanelWidth = 300;
constexpr int kSliderSteps = 1000;
constexpr double kSliderLowestT = 0.01, kSliderHighestT = 400.0;
constexpr int kSpreadLevels = 10;
constexpr int kMinCompareParticles = 1000;
const QColor kLossColor(25, 90, 200);
const QColor kSingleColor(200, 80, 40, 150);
const QColor kSpreadColor(40, 120, 200, 150);

/// Replaces the data points; the first redo (on push) finds them already in place.
class PointsCommand : public QUndoCommand {
public:
    PointsCommand(LearnView* view, QVector<QPointF> before, QVector<QPointF> after, const QString& text)
        : QUndoCommand(text), view_(view), before_(std::move(before)), after_(std::move(after)) {}
    void undo() override
    {
        if (view_)
            view_->setPoints(before_);
    }
    void redo() override
    {
        if (view_)
            view_->setPoints(after_);
    }

private:
    QPointer<LearnView> view_;
    QVector<QPointF> before_, after_;
};

QDoubleSpinBox* realBox(double lo, double hi, double value, int decimals, double step)
{
    auto* box = new QDoubleSpinBox;
    box->setRange(lo, hi);
    box->setDecimals(decimals);
    box->setSingleStep(step);
    box->setValue(value);
    return box;
}

QSpinBox* intBox(int lo, int hi, int value)
{
    auto* box = new QSpinBox;
    box->setRange(lo, hi);
    box->setValue(value);
    return box;
}

QString floatsToBase64(const QVector<float>& values)
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char*>(values.constData()), values.size() * int(sizeof(float))).toBase64());
}

QVector<float> floatsFromBase64(const QString& text)
{
    const QByteArray bytes = QByteArray::fromBase64(text.toLatin1());
    QVector<float> values(bytes.size() / int(sizeof(float)));
    std::memcpy(values.data(), bytes.constData(), values.size() * sizeof(float));
    return values;
}

QString pointsToBase64(const QVector<QPointF>& points)
{
    QVector<float> flat;
    flat.reserve(points.size() * 2);
    for (const QPointF& p : points)
        flat << float(p.x()) << float(p.y());
    return floatsToBase64(flat);
}

QVector<QPointF> pointsFromBase64(const QString& text)
{
    const QVector<float> flat = floatsFromBase64(text);
    QVector<QPointF> points;
    for (int i = 0; i + 1 < flat.size() && points.size() < kMaxPoints; i += 2)
        if (std::isfinite(flat[i]) && std::isfinite(flat[i + 1]))
            points.push_back(QPointF(flat[i], flat[i + 1]));
    return points;
}

void showHistogram(QCPBars* bars, const LearnHistogram& h)
{
    QVector<double> keys, values;
    const double width = h.counts.isEmpty() ? 1.0 : (h.hi - h.lo) / h.counts.size();
    for (int i = 0; i < h.counts.size(); ++i) {
        keys << h.lo + (i + 0.5) * width;
        values << h.counts[i];
    }
    bars->setWidth(width);
    bars->setData(keys, values, true);
}

QCPBars* addBars(QCustomPlot* plot, const QColor& color, const QString& name, bool secondAxis = false)
{
    auto* bars = new QCPBars(plot->xAxis, secondAxis ? plot->yAxis2 : plot->yAxis);
    bars->setPen(Qt::NoPen);
    bars->setBrush(color);
    bars->setName(name);
    return bars;
}

}  // namespace

LearnView::LearnView(StudioEngine* engine, QUndoStack* undo, QWidget* parent)
    : StudioPage(parent), engine_(engine), undo_(undo), liveControls_(std::make_shared<LearnSampleControls>())
{
    registerLearnTypes();
    setObjectName(QStringLiteral("learnView"));
    auto* layout = new QHBoxLayout(this);
    auto* scroll = new QScrollArea;
    scroll->setWidget(buildSidePanel());
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // The run buttons stay in sight, outside the scrolled settings (as on every page).
    auto* left = new QWidget;
    left->setFixedWidth(kSidePanelWidth);
    auto* leftColumn = new QVBoxLayout(left);
    leftColumn->setContentsMargins(0, 0, 0, 0);
    leftColumn->addWidget(scroll, 1);
    auto* buttons = new QFormLayout;
    buttons->addRow(tr("Training"), trainControls_);
    buttons->addRow(tr("Particles"), sampleControls_);
    leftColumn->addLayout(buttons);
    layout->addWidget(left);
    tabs_ = new QTabWidget;
    tabs_->addTab(buildLandscapeTab(), tr("Landscape and sampling"));
    tabs_->addTab(buildCompareTab(), tr("One sigma vs many"));
    tabs_->addTab(buildConcentrationTab(), tr("Measure concentration"));
    layout->addWidget(tabs_, 1);
    updateControls();
    loadData(QString::fromLatin1(kDefaultData));
}

QWidget* LearnView::buildSidePanel()
{
    auto* panel = new QWidget;
    auto* column = new QVBoxLayout(panel);

    auto* data = new QGroupBox(tr("Data"));
    auto* dataForm = new QFormLayout(data);
    dataName_Box_ = new QComboBox;
    dataName_Box_->addItems(learnDataNames());
    dataName_Box_->setToolTip(tr("weighted8: eight Gaussians on a circle of radius 2 (std 0.1) with weights 1..8; "
                                 "the toy:* sets are the core's 2D toys"));
    count_ = intBox(1, kMaxPoints, kDefaultCount);
    seed_ = intBox(1, 1000000, 1);
    make_ = new QPushButton(tr("Make"));
    openNpy_ = new QPushButton(tr("Open .npy…"));
    auto* dataButtons = new QHBoxLayout;
    dataButtons->addWidget(make_);
    dataButtons->addWidget(openNpy_);
    tool_ = new QComboBox;
    tool_->addItems({tr("Look"), tr("Draw points"), tr("Erase points"), tr("Drop particles")});
    tool_->setToolTip(tr("What the mouse does on the plane: paint points (hold to paint more), erase them, or drop particles"));
    brush_ = realBox(0.02, 2.0, 0.2, 2, 0.05);
    clear_ = new QPushButton(tr("Clear points"));
    dataSummary_ = new QLabel;
    dataSummary_->setWordWrap(true);
    dataForm->addRow(tr("Set"), dataName_Box_);
    dataForm->addRow(tr("Points"), count_);
    dataForm->addRow(tr("Seed"), seed_);
    dataForm->addRow(dataButtons);
    dataForm->addRow(tr("Mouse"), tool_);
    dataForm->addRow(tr("Brush radius"), brush_);
    dataForm->addRow(clear_);
    dataForm->addRow(dataSummary_);
    column->addWidget(data);

    auto* model = new QGroupBox(tr("Model and MDSM training"));
    auto* modelForm = new QFormLayout(model);
    width_ = intBox(4, 1024, 128);
    depth_ = intBox(1, 8, 3);
    sigmaMin_ = realBox(0.001, 10.0, 0.05, 3, 0.01);
    sigmaMax_ = realBox(0.001, 20.0, 2.0, 3, 0.1);
    spread_ = new QComboBox;
    spread_->addItems({tr("geometric"), tr("linear"), tr("single (sigma min)")});
    sigma0_ = realBox(0.001, 5.0, 0.1, 3, 0.01);
    learningRate_ = realBox(1e-5, 1.0, 1e-3, 5, 1e-4);
    batch_ = intBox(1, 65536, 256);
    steps_ = intBox(1, 1000000, 2000);
    continueTraining_ = new QCheckBox(tr("Go on from the current model"));
    trainControls_ = new RunControls(tr("Train"), tr("Train the MLP energy with MDSM (F5)"), true, RunControls::Layout::Grid);
    modelForm->addRow(tr("Width × depth"), [&] {
        auto* row = new QWidget;
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(width_);
        h->addWidget(depth_);
        return row;
    }());
    modelForm->addRow(tr("Sigma min"), sigmaMin_);
    modelForm->addRow(tr("Sigma max"), sigmaMax_);
    modelForm->addRow(tr("Spread"), spread_);
    modelForm->addRow(tr("Sigma0"), sigma0_);
    modelForm->addRow(tr("Learning rate"), learningRate_);
    modelForm->addRow(tr("Batch"), batch_);
    modelForm->addRow(tr("Steps"), steps_);
    modelForm->addRow(continueTraining_);
    column->addWidget(model);

    auto* sampling = new QGroupBox(tr("Annealed Langevin sampling"));
    auto* samplingForm = new QFormLayout(sampling);
    particles_ = intBox(1, 20000, 500);
    stepSize_ = realBox(0.001, 1.0, ebm::kDefaultLangevinStepSize, 3, 0.005);
    annealing_ = new QComboBox;
    annealing_->addItems({tr("Toy schedule (T 100 → 0)"), tr("Schedule page curve"), tr("Temperature slider")});
    sampleSteps_ = intBox(3, 100000, 1500);   // ebm::toy::defaultToySchedule's length
    temperature_ = new QSlider(Qt::Horizontal);
    temperature_->setRange(0, kSliderSteps);
    temperature_->setValue(kSliderSteps / 2);
    temperatureLabel_ = new QLabel;
    speed_ = intBox(1, 500, 10);
    speed_->setToolTip(tr("Langevin steps per frame (25 frames a second)"));
    arrows_ = new QCheckBox(tr("Score arrows"));
    arrows_->setChecked(true);
    sampleControls_ = new RunControls(tr("Sample"), tr("Anneal particles over the landscape"), true, RunControls::Layout::Grid);
    samplingForm->addRow(tr("Particles"), particles_);
    samplingForm->addRow(tr("Step size"), stepSize_);
    samplingForm->addRow(tr("Annealing"), annealing_);
    samplingForm->addRow(tr("Steps"), sampleSteps_);
    samplingForm->addRow(temperatureLabel_, temperature_);
    samplingForm->addRow(tr("Speed"), speed_);
    samplingForm->addRow(arrows_);
    column->addWidget(sampling);
    column->addStretch(1);

    connect(make_, &QPushButton::clicked, this, [this] { loadData(dataName_Box_->currentText()); });
    connect(dataName_Box_, &QComboBox::activated, this, [this] { loadData(dataName_Box_->currentText()); });
    connect(openNpy_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open points"), QString(), tr("NumPy arrays (*.npy)"));
        if (!path.isEmpty())
            loadData(path);
    });
    connect(tool_, &QComboBox::currentIndexChanged, this, [this](int index) {
        landscapePlot_->setTool(static_cast<LandscapePlot::Tool>(index));
    });
    connect(brush_, &QDoubleSpinBox::valueChanged, this, [this](double r) { landscapePlot_->setBrushRadius(r); });
    connect(clear_, &QPushButton::clicked, this, [this] { editPoints({}, tr("Clear points")); });
    connect(trainControls_, &RunControls::startRequested, this, &LearnView::startTraining);
    connect(trainControls_, &RunControls::pauseToggled, this, [this] { if (training_) training_->togglePause(); });
    connect(trainControls_, &RunControls::stepRequested, this, [this] { if (training_) training_->step(); });
    connect(trainControls_, &RunControls::stopRequested, this, [this] { if (training_) training_->cancel(); });
    connect(sampleControls_, &RunControls::startRequested, this, &LearnView::startSampling);
    connect(sampleControls_, &RunControls::pauseToggled, this, [this] { if (sampling_) sampling_->togglePause(); });
    connect(sampleControls_, &RunControls::stepRequested, this, [this] { if (sampling_) sampling_->step(); });
    connect(sampleControls_, &RunControls::stopRequested, this, [this] { if (sampling_) sampling_->cancel(); });
    connect(temperature_, &QSlider::valueChanged, this, [this] {
        liveControls_->temperature.store(sliderTemperature());
        updateTemperatureLabel();
    });
    connect(speed_, &QSpinBox::valueChanged, this, [this](int v) { liveControls_->stepsPerFrame.store(v); });
    connect(annealing_, &QComboBox::currentIndexChanged, this, &LearnView::updateControls);
    connect(arrows_, &QCheckBox::toggled, this, [this](bool on) {
        landscapePlot_->setArrowsVisible(on);
        singlePlot_->setArrowsVisible(on);
        multiscalePlot_->setArrowsVisible(on);
    });
    liveControls_->stepsPerFrame.store(speed_->value());
    liveControls_->temperature.store(sliderTemperature());
    updateTemperatureLabel();
    return panel;
}

QWidget* LearnView::buildLandscapeTab()
{
    auto* tab = new QWidget;
    auto* row = new QHBoxLayout(tab);
    auto* left = new QVBoxLayout;
    landscapePlot_ = new LandscapePlot(tr("Energy E(x), score −∇E and particles"), QStringLiteral("learn-landscape"));
    landscapePlot_->setMinimumSize(320, 240);
    landscapePlot_->setExtent(kExtent);
    connect(landscapePlot_, &LandscapePlot::strokeFinished, this,
            [this](const QVector<QPointF>& before, const QVector<QPointF>& after, const QString& text) {
                undo_->push(new PointsCommand(this, before, after, text));
            });
    connect(landscapePlot_, &LandscapePlot::particlesDropped, this, &LearnView::dropParticles);
    left->addWidget(landscapePlot_, 1);
    auto* timelineRow = new QHBoxLayout;
    timelineLabel_ = new QLabel(tr("no particles yet"));
    timeline_ = new QSlider(Qt::Horizontal);
    timeline_->setRange(0, 0);
    timeline_->setToolTip(tr("Scrub back through the run; the end follows it live"));
    timelineRow->addWidget(new QLabel(tr("Timeline")));
    timelineRow->addWidget(timeline_, 1);
    timelineRow->addWidget(timelineLabel_);
    left->addLayout(timelineRow);
    row->addLayout(left, 3);

    auto* right = new QVBoxLayout;
    lossPlot_ = new PlotPanel(tr("MDSM loss"), QStringLiteral("learn-loss"));
    lossPlot_->setMinimumSize(200, 140);
    lossPlot_->setLegendPlacement(PlotPanel::LegendPlacement::Hidden);
    QCustomPlot* plot = lossPlot_->plot();
    plot->addGraph()->setPen(QPen(kLossColor, 1));
    plot->xAxis->setLabel(tr("step"));
    plot->yAxis->setLabel(tr("loss × sigma0⁴"));
    right->addWidget(lossPlot_, 1);
    trainStatus_ = new QLabel(tr("Train to see the landscape form."));
    trainStatus_->setWordWrap(true);
    right->addWidget(trainStatus_);
    auto* note = new QLabel(tr("<small>Low energy is dark. Arrows: the score −∇E(x), square-root lengths. "
                               "MDSM trains one energy on many noise levels, so the field points home from far away "
                               "and the annealed particles find the modes in their weights.</small>"));
    note->setWordWrap(true);
    right->addWidget(note);
    row->addLayout(right, 2);

    connect(timeline_, &QSlider::sliderMoved, this, [this](int value) {
        followLive_ = value >= frames_.size() - 1;
        showFrame(value);
    });
    connect(timeline_, &QSlider::valueChanged, this, [this](int value) {
        if (!timeline_->isSliderDown() && value != shownFrame_) {
            followLive_ = value >= frames_.size() - 1;
            showFrame(value);
        }
    });
    return tab;
}

QWidget* LearnView::buildCompareTab()
{
    auto* tab = new QWidget;
    auto* column = new QVBoxLayout(tab);
    auto* bar = new QHBoxLayout;
    compareSteps_ = intBox(10, 100000, 2000);   // the training default: 800 leaves the MDSM modes unresolved
    singleSigma_ = realBox(0.001, 10.0, 0.1, 3, 0.01);
    compare_ = new QPushButton(tr("Train and sample both"));
    compareProgress_ = new QProgressBar;
    compareProgress_->setRange(0, 1);
    compareProgress_->setValue(0);
    bar->addWidget(new QLabel(tr("Steps")));
    bar->addWidget(compareSteps_);
    bar->addWidget(new QLabel(tr("Single sigma")));
    bar->addWidget(singleSigma_);
    bar->addWidget(compare_);
    bar->addWidget(compareProgress_, 1);
    column->addLayout(bar);
    auto* plots = new QHBoxLayout;
    singlePlot_ = new LandscapePlot(tr("One small sigma"), QStringLiteral("learn-single-sigma"));
    multiscalePlot_ = new LandscapePlot(tr("MDSM, many sigmas"), QStringLiteral("learn-multiscale"));
    for (LandscapePlot* p : {singlePlot_, multiscalePlot_}) {
        p->setExtent(kExtent);
        p->setMinimumSize(240, 200);
        p->setDataVisible(false);
        plots->addWidget(p, 1);
    }
    column->addLayout(plots, 1);
    compareNumbers_ = new QLabel(tr("Both models train on the same points with the settings on the left; the single-sigma "
                                    "one uses only the sigma above. Their samples are measured against the data."));
    compareNumbers_->setWordWrap(true);
    compareNumbers_->setTextFormat(Qt::RichText);
    column->addWidget(compareNumbers_);
    connect(compare_, &QPushButton::clicked, this, &LearnView::startComparison);
    return tab;
}

QWidget* LearnView::buildConcentrationTab()
{
    auto* tab = new QWidget;
    auto* column = new QVBoxLayout(tab);
    auto* bar = new QHBoxLayout;
    dimension_ = intBox(1, 100000, 1024);
    concentrationSigma_ = realBox(0.001, 100.0, 0.3, 3, 0.05);
    concentrate_ = new QPushButton(tr("Draw the noise"));
    bar->addWidget(new QLabel(tr("Dimension d")));
    bar->addWidget(dimension_);
    bar->addWidget(new QLabel(tr("Sigma")));
    bar->addWidget(concentrationSigma_);
    bar->addWidget(concentrate_);
    bar->addStretch(1);
    column->addLayout(bar);
    auto* plots = new QHBoxLayout;
    distancePlot_ = new PlotPanel(tr("Distance ‖x̃ − x‖"), QStringLiteral("learn-distance"));
    anglePlot_ = new PlotPanel(tr("Angle to a fixed direction (degrees)"), QStringLiteral("learn-angle"));
    bandPlot_ = new PlotPanel(tr("Distances reached: one sigma vs the training spread"), QStringLiteral("learn-spread"));
    addBars(distancePlot_->plot(), kSingleColor, tr("one sigma"));
    addBars(anglePlot_->plot(), kSingleColor, tr("one sigma"));
    addBars(bandPlot_->plot(), kSingleColor, tr("one sigma"));
    // The spread's bars on their own axis: one sigma's single spike would flatten them.
    addBars(bandPlot_->plot(), kSpreadColor, tr("spread of sigmas (right axis)"), true);
    bandPlot_->plot()->yAxis2->setVisible(true);
    bandPlot_->plot()->yAxis2->setTickLabelColor(kSpreadColor.darker());
    bandPlot_->plot()->yAxis->setTickLabelColor(kSingleColor.darker());
    for (PlotPanel* p : {distancePlot_, anglePlot_}) {
        p->setMinimumSize(220, 150);
        p->setLegendPlacement(PlotPanel::LegendPlacement::Hidden);
        plots->addWidget(p, 1);
    }
    bandPlot_->setMinimumSize(300, 130);
    bandPlot_->setLegendPlacement(PlotPanel::LegendPlacement::InsideTopRight);
    column->addLayout(plots, 1);
    column->addWidget(bandPlot_, 1);
    concentrationSummary_ = new QLabel(
        tr("In d dimensions, Gaussian noise of std sigma moves a point by almost exactly sqrt(d)·sigma, at almost exactly "
           "90 degrees to any fixed direction: the noisy points lie on a thin shell around the data. A model trained at one "
           "sigma only ever sees that shell and learns nothing about the space nearer or farther away; a spread of sigmas "
           "(MDSM) puts shells from close to the data out to far away, the distances annealed sampling has to cross."));
    concentrationSummary_->setWordWrap(true);
    column->addWidget(concentrationSummary_);
    connect(concentrate_, &QPushButton::clicked, this, &LearnView::startConcentration);
    return tab;
}

// --- Data -------------------------------------------------------------------------------------

void LearnView::loadData(const QString& spec)
{
    const bool first = points_.isEmpty() && dataName_.isEmpty();
    loading_ = engine_->start(std::make_unique<LearnDataJob>(spec, count_->value(), quint64(seed_->value())),
                              JobRunner::StartPolicy::Replace);
    if (!loading_)
        return;
    connect(loading_, &JobHandle::finished, this, [this, first](const QVariant& value) {
        if (!value.canConvert<LearnDataResult>())
            return;
        const LearnDataResult result = value.value<LearnDataResult>();
        if (!result.error.isEmpty()) {
            Q_EMIT problem(result.error);
            return;
        }
        dataName_ = result.name;
        if (first)
            setPoints(result.points);   // the page's starting point is no undo step
        else
            editPoints(result.points, tr("Load %1").arg(result.name));
    });
}

void LearnView::editPoints(const QVector<QPointF>& points, const QString& text)
{
    if (points == points_)
        return;
    undo_->push(new PointsCommand(this, points_, points, text));
}

void LearnView::setPoints(const QVector<QPointF>& points)
{
    points_ = points.mid(0, kMaxPoints);
    landscapePlot_->setDataPoints(points_);
    dataSummary_->setText(tr("%n point(s)", nullptr, int(points_.size())) +
                          (dataName_.isEmpty() ? QString() : tr(" (from %1, edits included)").arg(dataName_)));
    updateControls();
}

// --- Training -----------------------------------------------------------------------------------

LearnTrainSettings LearnView::trainSettings() const
{
    LearnTrainSettings s;
    s.width = width_->value();
    s.depth = depth_->value();
    s.sigmaMin = sigmaMin_->value();
    s.sigmaMax = std::max(sigmaMin_->value(), sigmaMax_->value());
    s.geometric = spread_->currentIndex() == 0;
    s.singleSigma = spread_->currentIndex() == 2;
    s.sigma0 = sigma0_->value();
    s.learningRate = learningRate_->value();
    s.batchSize = batch_->value();
    s.steps = steps_->value();
    s.seed = quint64(seed_->value());
    return s;
}

void LearnView::setTrainSettings(const LearnTrainSettings& s)
{
    width_->setValue(s.width);
    depth_->setValue(s.depth);
    sigmaMin_->setValue(s.sigmaMin);
    sigmaMax_->setValue(s.sigmaMax);
    spread_->setCurrentIndex(s.singleSigma ? 2 : (s.geometric ? 0 : 1));
    sigma0_->setValue(s.sigma0);
    learningRate_->setValue(s.learningRate);
    batch_->setValue(s.batchSize);
    steps_->setValue(s.steps);
}

void LearnView::setContinueTraining(bool on) { continueTraining_->setChecked(on); }

void LearnView::startTraining()
{
    if (!canStart())
        return;
    const LearnTrainSettings settings = trainSettings();
    const bool goOn = continueTraining_->isChecked() && !model_.isEmpty() && model_.width == settings.width &&
                      model_.depth == settings.depth;
    training_ = engine_->start(std::make_unique<LearnTrainJob>(points_, settings, goOn ? model_ : LearnModel{}, kLiveGrid, kExtent),
                               JobRunner::StartPolicy::Queue);
    if (!training_) {
        Q_EMIT problem(tr("The worker refused the training run."));
        return;
    }
    if (!goOn)
        losses_.clear();
    showLoss();
    connect(training_, &JobHandle::progress, this, &LearnView::onTrainReport);
    connect(training_, &JobHandle::finished, this, &LearnView::onTrainFinished);
    connect(training_, &JobHandle::pausedChanged, this, &LearnView::updateControls);
    connect(training_, &JobHandle::started, this, &LearnView::updateControls);
    updateControls();
}

void LearnView::onTrainReport(const QVariant& value)
{
    const LearnTrainReport report = value.value<LearnTrainReport>();
    losses_ += report.losses;
    if (!report.landscape.isEmpty()) {
        landscape_ = report.landscape;
        ++landscapeUpdates_;
        landscapePlot_->setLandscape(landscape_);
        Q_EMIT landscapeUpdated();
    }
    trainStatus_->setText(tr("Step %1 of %2, loss %3").arg(report.step).arg(report.totalSteps)
                              .arg(losses_.isEmpty() ? 0.0 : losses_.back(), 0, 'g', 4));
    showLoss();
}

void LearnView::onTrainFinished(const QVariant& value)
{
    const LearnTrainResult result = value.value<LearnTrainResult>();
    if (!result.error.isEmpty())
        Q_EMIT problem(result.error);
    if (result.ok) {
        model_ = result.model;
        landscape_ = result.landscape;
        ++landscapeUpdates_;
        landscapePlot_->setLandscape(landscape_);
        Q_EMIT landscapeUpdated();
        trainStatus_->setText(tr("%1 after %2 steps; final loss %3.")
                                  .arg(result.cancelled ? tr("Stopped") : tr("Trained"))
                                  .arg(result.steps)
                                  .arg(losses_.isEmpty() ? 0.0 : losses_.back(), 0, 'g', 4));
        Q_EMIT statusMessage(tr("Learn: the MLP energy trained for %1 steps").arg(result.steps));
    }
    updateControls();
}

void LearnView::showLoss()
{
    QCustomPlot* plot = lossPlot_->plot();
    QVector<double> keys, values;
    keys.reserve(losses_.size());
    values.reserve(losses_.size());
    for (int i = 0; i < losses_.size(); ++i) {
        keys << i + 1;
        values << losses_[i];
    }
    plot->graph(0)->setData(keys, values, true);
    plot->rescaleAxes();
    lossPlot_->requestReplot();
}

bool LearnView::isTraining() const { return training_ && training_->isActive(); }

// --- Sampling ----------------------------------------------------------------------------------

double LearnView::sliderTemperature() const
{
    const double f = static_cast<double>(temperature_->value()) / kSliderSteps;
    return kSliderLowestT * std::pow(kSliderHighestT / kSliderLowestT, f);
}

void LearnView::updateTemperatureLabel()
{
    temperatureLabel_->setText(tr("T = %1").arg(sliderTemperature(), 0, 'g', 3));
}

QVector<double> LearnView::scheduleTemperatures() const
{
    QVector<double> temperatures;
    const auto index = static_cast<Annealing>(annealing_->currentIndex());
    if (index == Annealing::SchedulePage && editedCurve_) {
        try {
            const ebm::Schedule schedule = editedCurve_->rescaled(sampleSteps_->value()).expand();
            for (double t : schedule.temperatures())
                temperatures << t;
        } catch (const std::exception&) {
            temperatures.clear();   // falls back to the toy schedule
        }
    }
    if (temperatures.isEmpty()) {
        // The toy schedule (ebm::toy::defaultToySchedule) is the quick preset's shape from T = 100.
        const ebm::Schedule quick = ebm::ScheduleCurve::preset("quick", sampleSteps_->value()).expand();
        for (double t : quick.temperatures())
            temperatures << t;
    }
    return temperatures;
}

LearnSampleSettings LearnView::sampleSettings() const
{
    LearnSampleSettings s;
    s.particles = particles_->value();
    s.stepSize = stepSize_->value();
    s.sigma0 = sigma0_->value();
    s.extent = kExtent;
    s.useSchedule = static_cast<Annealing>(annealing_->currentIndex()) != Annealing::TemperatureSlider;
    if (s.useSchedule)
        s.temperatures = scheduleTemperatures();
    s.seed = quint64(seed_->value());
    return s;
}

void LearnView::setSampleSettings(const LearnSampleSettings& s)
{
    particles_->setValue(s.particles);
    stepSize_->setValue(s.stepSize);
    if (!s.temperatures.isEmpty())
        sampleSteps_->setValue(s.temperatures.size());
}

void LearnView::setAnnealing(Annealing annealing) { annealing_->setCurrentIndex(static_cast<int>(annealing)); }

void LearnView::setEditedSchedule(const ebm::ScheduleCurve& curve, bool)
{
    editedCurve_ = curve;
    if (isSampling() && static_cast<Annealing>(annealing_->currentIndex()) == Annealing::SchedulePage) {
        try {
            liveControls_->scheduleFeed->post(curve.rescaled(sampleSteps_->value()).expand());
        } catch (const std::exception&) {
        }
    }
}

void LearnView::startSampling()
{
    if (model_.isEmpty() || isSampling())
        return;
    const LearnSampleSettings settings = sampleSettings();
    liveControls_ = std::make_shared<LearnSampleControls>();
    liveControls_->temperature.store(sliderTemperature());
    liveControls_->stepsPerFrame.store(speed_->value());
    // Particles dropped before the run join the spread ones at its first step.
    liveControls_->dropParticles(pendingDrops_);
    pendingDrops_.clear();
    frames_.clear();
    shownFrame_ = -1;
    followLive_ = true;
    sampling_ = engine_->start(std::make_unique<LearnSampleJob>(model_, settings, liveControls_), JobRunner::StartPolicy::Queue);
    if (!sampling_) {
        Q_EMIT problem(tr("The worker refused the sampling run."));
        return;
    }
    connect(sampling_, &JobHandle::progress, this, &LearnView::onSampleFrame);
    connect(sampling_, &JobHandle::finished, this, &LearnView::onSampleFinished);
    connect(sampling_, &JobHandle::pausedChanged, this, &LearnView::updateControls);
    connect(sampling_, &JobHandle::started, this, &LearnView::updateControls);
    updateControls();
}

void LearnView::onSampleFrame(const QVariant& value)
{
    frames_.push_back(value.value<LearnSampleFrame>());
    if (frames_.size() > kMaxFrames) {
        frames_.removeFirst();
        if (!followLive_)
            shownFrame_ = std::max(0, shownFrame_ - 1);
    }
    const QSignalBlocker block(timeline_);
    timeline_->setRange(0, frames_.size() - 1);
    if (followLive_)
        showFrame(frames_.size() - 1);
    else
        timeline_->setValue(shownFrame_);
}

void LearnView::onSampleFinished(const QVariant& value)
{
    const LearnSampleResult result = value.value<LearnSampleResult>();
    if (!result.error.isEmpty())
        Q_EMIT problem(result.error);
    updateControls();
}

void LearnView::showFrame(int index)
{
    if (index < 0 || index >= frames_.size())
        return;
    shownFrame_ = index;
    QVector<QVector<QPointF>> trail;
    for (int i = std::max(0, index - kTrailFrames); i < index; ++i)
        trail.push_back(frames_[i].positions);
    const LearnSampleFrame& frame = frames_[index];
    landscapePlot_->setParticles(frame.positions, trail);
    {
        const QSignalBlocker block(timeline_);
        timeline_->setValue(index);
    }
    timelineLabel_->setText(frame.totalSteps > 0 ? tr("step %1/%2, T %3%4")
                                                       .arg(frame.step)
                                                       .arg(frame.totalSteps)
                                                       .arg(frame.temperature, 0, 'g', 3)
                                                       .arg(frame.final ? tr(", denoised") : QString())
                                                 : tr("step %1, T %2").arg(frame.step).arg(frame.temperature, 0, 'g', 3));
}

void LearnView::dropParticles(const QVector<QPointF>& points)
{
    if (isSampling())
        liveControls_->dropParticles(points);
    else {
        pendingDrops_ += points;
        landscapePlot_->setParticles(pendingDrops_);
    }
}

bool LearnView::isSampling() const { return sampling_ && sampling_->isActive(); }

// --- Comparison and concentration -------------------------------------------------------------

void LearnView::startComparison()
{
    if (comparing_ && comparing_->isActive())
        return;
    if (points_.isEmpty()) {
        Q_EMIT problem(tr("There are no data points to compare on: choose a data set or draw some."));
        return;
    }
    LearnCompareSettings settings;
    settings.train = trainSettings();
    settings.train.singleSigma = false;
    settings.singleSigma = singleSigma_->value();
    settings.steps = compareSteps_->value();
    settings.sampling = sampleSettings();
    settings.sampling.useSchedule = true;
    // Mode weights from fewer samples are mostly sampling noise (TV ~ 0.05 at 600).
    settings.sampling.particles = std::max(kMinCompareParticles, settings.sampling.particles);
    if (settings.sampling.temperatures.isEmpty())
        settings.sampling.temperatures = scheduleTemperatures();
    // The modes are known only for the untouched mixtures.
    settings.mixture = dataName_;
    comparing_ = engine_->start(std::make_unique<LearnCompareJob>(points_, settings, kFinalGrid / 2, kExtent),
                                JobRunner::StartPolicy::Queue);
    if (!comparing_)
        return;
    compareProgress_->setRange(0, 0);
    connect(comparing_, &JobHandle::progress, this, [this](const QVariant& value) {
        const LearnCompareProgress p = value.value<LearnCompareProgress>();
        compareProgress_->setRange(0, std::max(1, p.total));
        compareProgress_->setValue(p.done);
        compareProgress_->setFormat(p.phase);
    });
    connect(comparing_, &JobHandle::finished, this, &LearnView::onCompareFinished);
    updateControls();
}

void LearnView::onCompareFinished(const QVariant& value)
{
    comparison_ = value.value<LearnCompareResult>();
    compareProgress_->setRange(0, 1);
    compareProgress_->setValue(comparison_.ok ? 1 : 0);
    if (!comparison_.error.isEmpty())
        Q_EMIT problem(comparison_.error);
    if (comparison_.ok) {
        singlePlot_->setLandscape(comparison_.single.landscape);
        singlePlot_->setParticles(comparison_.single.samples);
        multiscalePlot_->setLandscape(comparison_.multiscale.landscape);
        multiscalePlot_->setParticles(comparison_.multiscale.samples);
        auto row = [](const LearnCompareSide& s) {
            QString modes = s.hasModes ? QStringLiteral("%1 of %2").arg(s.modesCovered).arg(s.modes) : QStringLiteral("–");
            QString tv = s.hasModes ? QString::number(s.weightTv, 'f', 3) : QStringLiteral("–");
            QString weights;
            for (double w : s.sampleWeights)
                weights += QString::number(w, 'f', 2) + QLatin1Char(' ');
            return QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>")
                .arg(s.label.toHtmlEscaped(), modes, tv, QString::number(s.mmd, 'f', 3), weights.trimmed());
        };
        QString truth;
        for (double w : comparison_.trueWeights)
            truth += QString::number(w, 'f', 2) + QLatin1Char(' ');
        compareNumbers_->setText(
            tr("<table cellspacing=6><tr><th align=left>model</th><th>modes covered</th><th>weight TV</th><th>MMD</th>"
               "<th align=left>sample mode weights</th></tr>%1%2<tr><td>data</td><td></td><td></td><td></td><td>%3</td></tr></table>"
               "<small>Weight TV: half the summed difference between the samples' mode weights (nearest mode within a quarter "
               "of the radius) and the true ones. MMD: Gaussian kernel of width %4 against the data. A mode is covered with "
               "at least a tenth of its expected share.</small>")
                .arg(row(comparison_.single), row(comparison_.multiscale), truth.trimmed())
                .arg(comparison_.mmdBandwidth));
    }
    updateControls();
}

void LearnView::startConcentration()
{
    LearnConcentrationSettings settings;
    settings.dimension = dimension_->value();
    settings.sigma = concentrationSigma_->value();
    const double lo = sigmaMin_->value(), hi = std::max(lo, sigmaMax_->value());
    for (int i = 0; i < kSpreadLevels; ++i)
        settings.spread << lo * std::pow(hi / lo, double(i) / (kSpreadLevels - 1));
    // Keep the drawn values bounded: fewer draws in very high dimensions.
    settings.draws = std::clamp(int(20000000 / std::max(1, settings.dimension)), 50, 4000);
    concentrating_ = engine_->start(std::make_unique<LearnConcentrationJob>(settings), JobRunner::StartPolicy::Replace);
    if (!concentrating_)
        return;
    connect(concentrating_, &JobHandle::finished, this, &LearnView::onConcentrationFinished);
}

void LearnView::onConcentrationFinished(const QVariant& value)
{
    if (!value.canConvert<LearnConcentrationResult>())
        return;
    concentration_ = value.value<LearnConcentrationResult>();
    if (!concentration_.error.isEmpty()) {
        Q_EMIT problem(concentration_.error);
        return;
    }
    auto bars = [](PlotPanel* panel, int index) { return qobject_cast<QCPBars*>(panel->plot()->plottable(index)); };
    showHistogram(bars(distancePlot_, 0), concentration_.distance);
    showHistogram(bars(anglePlot_, 0), concentration_.angle);
    showHistogram(bars(bandPlot_, 0), concentration_.singleBand);
    showHistogram(bars(bandPlot_, 1), concentration_.spreadBand);
    for (PlotPanel* p : {distancePlot_, anglePlot_, bandPlot_}) {
        p->plot()->rescaleAxes();
        p->requestReplot();
    }
    distancePlot_->plot()->xAxis->setLabel(tr("mean %1, sqrt(d)·sigma = %2")
                                               .arg(concentration_.distance.mean, 0, 'f', 3)
                                               .arg(concentration_.expectedDistance, 0, 'f', 3));
    anglePlot_->plot()->xAxis->setLabel(tr("mean %1°, spread %2°")
                                            .arg(concentration_.angle.mean, 0, 'f', 2)
                                            .arg(concentration_.angle.stddev, 0, 'f', 2));
    bandPlot_->plot()->xAxis->setLabel(tr("‖x̃ − x‖"));
}

// --- StudioPage ---------------------------------------------------------------------------------

JobHandle* LearnView::activeHandle() const
{
    if (isSampling())
        return sampling_;
    if (isTraining())
        return training_;
    return nullptr;
}

void LearnView::togglePause()
{
    if (JobHandle* job = activeHandle())
        job->togglePause();
}

void LearnView::stepOnce()
{
    if (JobHandle* job = activeHandle())
        job->step();
}

void LearnView::stop()
{
    for (JobHandle* job : {sampling_.data(), training_.data(), comparing_.data()})
        if (job && job->isActive())
            job->cancel();
}

bool LearnView::canStart() const { return !points_.isEmpty() && !isTraining(); }
bool LearnView::isRunning() const { return activeHandle() != nullptr; }
bool LearnView::isPaused() const
{
    const JobHandle* job = activeHandle();
    return job && job->isPaused();
}

void LearnView::updateControls()
{
    const bool training = isTraining(), sampling = isSampling();
    trainControls_->setState(!points_.isEmpty(), training, training && training_->isPaused());
    sampleControls_->setState(!model_.isEmpty() && !training, sampling, sampling && sampling_->isPaused());
    compare_->setEnabled(!(comparing_ && comparing_->isActive()));
    const auto annealing = static_cast<Annealing>(annealing_->currentIndex());
    temperature_->setEnabled(annealing == Annealing::TemperatureSlider);
    sampleSteps_->setEnabled(annealing != Annealing::TemperatureSlider);
    Q_EMIT runStateChanged();
}

QJsonObject LearnView::sessionSettings() const
{
    const LearnTrainSettings t = trainSettings();
    QJsonObject train{{QStringLiteral("width"), t.width},         {QStringLiteral("depth"), t.depth},
                      {QStringLiteral("sigmaMin"), t.sigmaMin},   {QStringLiteral("sigmaMax"), t.sigmaMax},
                      {QStringLiteral("spread"), spread_->currentIndex()},
                      {QStringLiteral("sigma0"), t.sigma0},       {QStringLiteral("learningRate"), t.learningRate},
                      {QStringLiteral("batch"), t.batchSize},     {QStringLiteral("steps"), t.steps}};
    QJsonObject sample{{QStringLiteral("particles"), particles_->value()},
                       {QStringLiteral("stepSize"), stepSize_->value()},
                       {QStringLiteral("annealing"), annealing_->currentIndex()},
                       {QStringLiteral("steps"), sampleSteps_->value()},
                       {QStringLiteral("temperature"), temperature_->value()},
                       {QStringLiteral("speed"), speed_->value()}};
    QJsonObject root{{QStringLiteral("data"), dataName_},
                     {QStringLiteral("count"), count_->value()},
                     {QStringLiteral("seed"), seed_->value()},
                     {QStringLiteral("points"), pointsToBase64(points_)},
                     {QStringLiteral("train"), train},
                     {QStringLiteral("sample"), sample},
                     {QStringLiteral("compareSteps"), compareSteps_->value()},
                     {QStringLiteral("singleSigma"), singleSigma_->value()},
                     {QStringLiteral("dimension"), dimension_->value()},
                     {QStringLiteral("concentrationSigma"), concentrationSigma_->value()}};
    if (!model_.isEmpty())
        root.insert(QStringLiteral("model"), QJsonObject{{QStringLiteral("width"), model_.width},
                                                         {QStringLiteral("depth"), model_.depth},
                                                         {QStringLiteral("weights"), floatsToBase64(model_.weights)}});
    return root;
}

void LearnView::applySessionSettings(const QJsonObject& root)
{
    const QJsonObject train = root.value(QStringLiteral("train")).toObject();
    width_->setValue(train.value(QStringLiteral("width")).toInt(width_->value()));
    depth_->setValue(train.value(QStringLiteral("depth")).toInt(depth_->value()));
    sigmaMin_->setValue(train.value(QStringLiteral("sigmaMin")).toDouble(sigmaMin_->value()));
    sigmaMax_->setValue(train.value(QStringLiteral("sigmaMax")).toDouble(sigmaMax_->value()));
    spread_->setCurrentIndex(std::clamp(train.value(QStringLiteral("spread")).toInt(spread_->currentIndex()), 0, 2));
    sigma0_->setValue(train.value(QStringLiteral("sigma0")).toDouble(sigma0_->value()));
    learningRate_->setValue(train.value(QStringLiteral("learningRate")).toDouble(learningRate_->value()));
    batch_->setValue(train.value(QStringLiteral("batch")).toInt(batch_->value()));
    steps_->setValue(train.value(QStringLiteral("steps")).toInt(steps_->value()));
    const QJsonObject sample = root.value(QStringLiteral("sample")).toObject();
    particles_->setValue(sample.value(QStringLiteral("particles")).toInt(particles_->value()));
    stepSize_->setValue(sample.value(QStringLiteral("stepSize")).toDouble(stepSize_->value()));
    annealing_->setCurrentIndex(std::clamp(sample.value(QStringLiteral("annealing")).toInt(annealing_->currentIndex()), 0, 2));
    sampleSteps_->setValue(sample.value(QStringLiteral("steps")).toInt(sampleSteps_->value()));
    temperature_->setValue(sample.value(QStringLiteral("temperature")).toInt(temperature_->value()));
    speed_->setValue(sample.value(QStringLiteral("speed")).toInt(speed_->value()));
    count_->setValue(root.value(QStringLiteral("count")).toInt(count_->value()));
    seed_->setValue(root.value(QStringLiteral("seed")).toInt(seed_->value()));
    compareSteps_->setValue(root.value(QStringLiteral("compareSteps")).toInt(compareSteps_->value()));
    singleSigma_->setValue(root.value(QStringLiteral("singleSigma")).toDouble(singleSigma_->value()));
    dimension_->setValue(root.value(QStringLiteral("dimension")).toInt(dimension_->value()));
    concentrationSigma_->setValue(root.value(QStringLiteral("concentrationSigma")).toDouble(concentrationSigma_->value()));
    if (root.contains(QStringLiteral("points"))) {
        if (loading_ && loading_->isActive())
            loading_->cancel();   // the session's points win over a toy still being made
        dataName_ = root.value(QStringLiteral("data")).toString();
        const int index = dataName_Box_->findText(dataName_);
        if (index >= 0)
            dataName_Box_->setCurrentIndex(index);
        setPoints(pointsFromBase64(root.value(QStringLiteral("points")).toString()));
    }
    const QJsonObject model = root.value(QStringLiteral("model")).toObject();
    if (!model.isEmpty()) {
        LearnModel restored;
        restored.width = model.value(QStringLiteral("width")).toInt();
        restored.depth = model.value(QStringLiteral("depth")).toInt();
        restored.weights = floatsFromBase64(model.value(QStringLiteral("weights")).toString());
        // The MLP of ebm::toy (2D input, quadratic head): first layer, hidden layers, the head's three rows.
        const qint64 w = restored.width, d = restored.depth;
        const qint64 expected = 3 * w + (d - 1) * (w * w + w) + 3 * (w + 1);
        if (w < 1 || d < 1 || restored.weights.size() != expected) {
            Q_EMIT problem(tr("The session's Learn model is damaged (%1 weights for a %2x%3 MLP); it was left out.")
                               .arg(restored.weights.size()).arg(d).arg(w));
            updateControls();
            return;
        }
        model_ = restored;
        if (!points_.isEmpty() && !isTraining()) {
            // No training steps: the job only draws the restored model's landscape.
            LearnTrainSettings settings = trainSettings();
            settings.width = restored.width;
            settings.depth = restored.depth;
            settings.steps = 0;
            training_ = engine_->start(std::make_unique<LearnTrainJob>(points_, settings, restored, kFinalGrid, kExtent),
                                       JobRunner::StartPolicy::Queue);
            if (training_)
                connect(training_, &JobHandle::finished, this, &LearnView::onTrainFinished);
        }
    }
    updateControls();
}

}  // namespace ebm::studio
