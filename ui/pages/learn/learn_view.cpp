#include "pages/learn/learn_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/run_controls.h"
#include "widgets/settings_form.h"
#include "widgets/snapshot_command.h"
#include "annealing/annealing_hub.h"
#include "pages/learn/comparison_tab.h"
#include "pages/learn/concentration_tab.h"
#include "pages/learn/data_gallery.h"
#include "pages/learn/landscape_plot.h"
#include "pages/learn/learn_session.h"
#include "pages/learn/particles_demo.h"
#include "pages/learn/sampler_comparison_tab.h"
#include "pages/learn/training_lab.h"

namespace ebm::studio {
namespace {

constexpr const char* kDefaultData = "weighted8";
constexpr int kSidePanelWidth = 300;
const QString kGalleryShownKey = QStringLiteral("learn/dataGalleryShown");

/// The box and row of a field of the side panel's form: the page's own widgets (the data set,
/// its buttons, the mouse tool, the temperature slider) join the fields they belong with.
QFormLayout* formRowOf(SettingsFormWidget* form, const QString& key, int* row)
{
    QWidget* editor = form->field(key);
    auto* layout = qobject_cast<QFormLayout*>(editor->parentWidget()->layout());
    QFormLayout::ItemRole role;
    layout->getWidgetPosition(editor, row, &role);
    return layout;
}

}  // namespace

LearnView::LearnView(StudioEngine* engine, AnnealingHub* annealing, QUndoStack* undo, QWidget* parent)
    : StudioPage(tr("&Learn"), QStringLiteral("learn"), parent), engine_(engine), annealing_(annealing), undo_(undo)
{
    registerLearnTypes();
    setObjectName(QStringLiteral("learnView"));
    keepFields<LearnSettings>(
        learnFields(), [this] { return settings(); }, [this](const LearnSettings& s) { setSettings(s); },
        Keep::StoreOnly);
    keepInSession([this](QJsonObject& root) { writeSession(root); }, [this](const QJsonObject& root) { readSession(root); });
    keepInStore([this](QSettings& store) { store.setValue(kGalleryShownKey, galleryToggle_->isChecked()); },
                [this](QSettings& store) { galleryToggle_->setChecked(store.value(kGalleryShownKey, true).toBool()); });
    lab_ = new TrainingLab(engine_);
    comparison_ = new ComparisonTab(engine_);
    samplerComparison_ = new SamplerComparisonTab(engine_);
    concentration_ = new ConcentrationTab(engine_);
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
    buttons->addRow(tr("Training"), trainControls());
    buttons->addRow(tr("Particles"), sampleControls());
    leftColumn->addLayout(buttons);
    layout->addWidget(left);
    // The gallery sits above the tabs: every tab works on the data set it chooses.
    auto* right = new QVBoxLayout;
    right->setContentsMargins(0, 0, 0, 0);
    gallery_ = new DataGallery(engine_, learnDataNames());
    right->addWidget(gallery_);
    tabs_ = new QTabWidget;
    tabs_->addTab(lab_, tr("Landscape and sampling"));
    tabs_->addTab(comparison_, tr("One sigma vs many"));
    tabs_->addTab(concentration_, tr("Measure concentration"));
    tabs_->addTab(samplerComparison_, tr("Langevin vs MALA"));
    tabs_->setCornerWidget(buildGalleryToggle(), Qt::TopRightCorner);
    right->addWidget(tabs_, 1);
    layout->addLayout(right, 1);
    forms_ = QVector<SettingsFormWidget*>{panelForm_} + comparison_->settingsForms() + concentration_->settingsForms() +
             samplerComparison_->settingsForms();
    connectTabs();
    connectSidePanel();
    connectGallery();
    updateControls();
    loadData(QString::fromLatin1(kDefaultData));
    // The particles can follow the Schedule page's curve ("Edited curve").
    if (annealing->editedCurve())
        setEditedSchedule(*annealing->editedCurve(), false);
    connect(annealing, &AnnealingHub::editedCurveChanged, this, &LearnView::setEditedSchedule);
}

QWidget* LearnView::buildSidePanel()
{
    auto* panel = new QWidget;
    auto* column = new QVBoxLayout(panel);
    panelForm_ = learnPanelForm(panel);
    column->addWidget(panelForm_);
    addDataRows();
    addSamplingRows();
    column->addStretch(1);
    return panel;
}

void LearnView::addDataRows()
{
    int row = 0;
    QFormLayout* data = formRowOf(panelForm_, QStringLiteral("count"), &row);
    dataBox_ = new QComboBox;
    dataBox_->addItems(learnDataNames());
    dataBox_->setToolTip(tr("weighted8: eight Gaussians on a circle of radius 2 (std 0.1) with weights 1..8; "
                            "the toy:* sets are the core's 2D toys"));
    data->insertRow(row, tr("Set"), dataBox_);

    auto* make = new QPushButton(tr("Make"));
    auto* openNpy = new QPushButton(tr("Open .npy…"));
    auto* dataButtons = new QHBoxLayout;
    dataButtons->addWidget(make);
    dataButtons->addWidget(openNpy);
    tool_ = new QComboBox;
    tool_->addItems({tr("Look"), tr("Draw points"), tr("Erase points"), tr("Drop particles")});
    tool_->setToolTip(
        tr("What the mouse does on the plane: paint points (hold to paint more), erase them, or drop particles"));
    formRowOf(panelForm_, QStringLiteral("seed"), &row);
    data->insertRow(row + 1, dataButtons);
    data->insertRow(row + 2, tr("Mouse"), tool_);

    auto* clear = new QPushButton(tr("Clear points"));
    dataSummary_ = new QLabel;
    dataSummary_->setWordWrap(true);
    formRowOf(panelForm_, QStringLiteral("brushRadius"), &row);
    data->insertRow(row + 1, clear);
    data->insertRow(row + 2, dataSummary_);

    connect(make, &QPushButton::clicked, this, [this] { loadData(dataBox_->currentText()); });
    connect(dataBox_, &QComboBox::activated, this, [this] { loadData(dataBox_->currentText()); });
    connect(openNpy, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open points"), QString(), tr("NumPy arrays (*.npy)"));
        if (!path.isEmpty())
            loadData(path);
    });
    connect(clear, &QPushButton::clicked, this, [this] { editPoints({}, tr("Clear points")); });
}

void LearnView::addSamplingRows()
{
    int row = 0;
    QFormLayout* sampling = formRowOf(panelForm_, QStringLiteral("sampleSteps"), &row);
    temperature_ = new QSlider(Qt::Horizontal);
    temperature_->setRange(0, kLearnSliderSteps);
    temperature_->setValue(LearnSettings().temperature);
    temperatureLabel_ = new QLabel;
    sampling->insertRow(row + 1, temperatureLabel_, temperature_);
}

QToolButton* LearnView::buildGalleryToggle()
{
    // In the tabs' corner: a hidden gallery costs the plots no height.
    galleryToggle_ = new QToolButton;
    galleryToggle_->setObjectName(QStringLiteral("learnDataGalleryToggle"));
    galleryToggle_->setText(tr("Data sets"));
    galleryToggle_->setToolTip(tr("Show or hide the thumbnails of the built-in data sets above the tabs"));
    galleryToggle_->setCheckable(true);
    galleryToggle_->setChecked(true);
    galleryToggle_->setAutoRaise(true);
    galleryToggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    galleryToggle_->setArrowType(Qt::UpArrow);
    connect(galleryToggle_, &QToolButton::toggled, this, [this](bool shown) {
        gallery_->setVisible(shown);
        galleryToggle_->setArrowType(shown ? Qt::UpArrow : Qt::DownArrow);
    });
    return galleryToggle_;
}

void LearnView::connectGallery()
{
    connect(gallery_, &DataGallery::chosen, this, &LearnView::chooseData);
    connect(gallery_, &DataGallery::problem, this, &LearnView::problem);
    connect(dataBox_, &QComboBox::currentTextChanged, gallery_, &DataGallery::setCurrent);
    gallery_->setCurrent(dataBox_->currentText());
}

void LearnView::chooseData(const QString& name)
{
    const int index = dataBox_->findText(name);
    if (index < 0)
        return;
    // The box's own signals, as when a person picks the set in it: its handler loads the set
    // (one undo step when the points arrive), and whoever else listens hears the same.
    dataBox_->setCurrentIndex(index);
    Q_EMIT dataBox_->activated(index);
    Q_EMIT dataBox_->textActivated(name);
}

void LearnView::connectTabs()
{
    connect(lab_->plane(), &LandscapePlot::strokeFinished, this,
            [this](const QVector<QPointF>& before, const QVector<QPointF>& after, const QString& text) {
                undo_->push(snapshotCommand(this, &LearnView::setPoints, before, after, text));
            });
    connect(lab_->plane(), &LandscapePlot::particlesDropped, this, &LearnView::dropParticles);
    connect(lab_, &TrainingLab::startRequested, this, &LearnView::startTraining);
    connect(lab_, &TrainingLab::modelTrained, this, [this](const LearnModel& model) { model_ = model; });
    connect(lab_, &TrainingLab::landscapeUpdated, this, &LearnView::landscapeUpdated);
    connect(lab_, &TrainingLab::problem, this, &LearnView::problem);
    connect(lab_, &TrainingLab::statusMessage, this, &LearnView::statusMessage);
    connect(lab_, &TrainingLab::runStateChanged, this, &LearnView::updateControls);
    ParticlesDemo* particles = lab_->particles();
    connect(particles, &ParticlesDemo::startRequested, this, &LearnView::startSampling);
    connect(particles, &ParticlesDemo::problem, this, &LearnView::problem);
    connect(particles, &ParticlesDemo::runStateChanged, this, &LearnView::updateControls);
    connect(comparison_, &ComparisonTab::startRequested, this, &LearnView::startComparison);
    connect(comparison_, &ComparisonTab::problem, this, &LearnView::problem);
    connect(comparison_, &ComparisonTab::runStateChanged, this, &LearnView::updateControls);
    connect(samplerComparison_, &SamplerComparisonTab::startRequested, this, &LearnView::startSamplerComparison);
    connect(samplerComparison_, &SamplerComparisonTab::problem, this, &LearnView::problem);
    connect(samplerComparison_, &SamplerComparisonTab::runStateChanged, this, &LearnView::updateControls);
    connect(concentration_, &ConcentrationTab::startRequested, this, &LearnView::startConcentration);
    connect(concentration_, &ConcentrationTab::problem, this, &LearnView::problem);
}

void LearnView::connectSidePanel()
{
    // Fields whose changes show at once, also while a run goes on.
    auto* brush = qobject_cast<QDoubleSpinBox*>(panelForm_->field(QStringLiteral("brushRadius")));
    auto* speed = qobject_cast<QSpinBox*>(panelForm_->field(QStringLiteral("speed")));
    auto* annealing = qobject_cast<QComboBox*>(panelForm_->field(QStringLiteral("annealing")));
    auto* arrows = qobject_cast<QCheckBox*>(panelForm_->field(QStringLiteral("arrows")));
    connect(tool_, &QComboBox::currentIndexChanged, this, [this](int index) {
        lab_->plane()->setTool(static_cast<LandscapePlot::Tool>(index));
    });
    connect(brush, &QDoubleSpinBox::valueChanged, this, [this](double r) { lab_->plane()->setBrushRadius(r); });
    connect(temperature_, &QSlider::valueChanged, this, [this](int position) {
        lab_->particles()->setTemperature(learnSliderTemperature(position));
        updateTemperatureLabel();
    });
    connect(speed, &QSpinBox::valueChanged, this, [this](int v) { lab_->particles()->setStepsPerFrame(v); });
    // The learning rate and the noise range reach a run in progress before its next step.
    connect(panelForm_, &SettingsFormWidget::valuesChanged, this,
            [this] { lab_->changeWhileTraining(trainSettings()); });
    connect(annealing, &QComboBox::currentIndexChanged, this, &LearnView::updateControls);
    connect(arrows, &QCheckBox::toggled, this, [this](bool on) {
        lab_->plane()->setArrowsVisible(on);
        comparison_->setArrowsVisible(on);
        samplerComparison_->setArrowsVisible(on);
    });
    lab_->plane()->setBrushRadius(brush->value());
    lab_->particles()->setStepsPerFrame(speed->value());
    lab_->particles()->setTemperature(learnSliderTemperature(temperature_->value()));
    updateTemperatureLabel();
}

void LearnView::updateTemperatureLabel()
{
    temperatureLabel_->setText(tr("T = %1").arg(learnSliderTemperature(temperature_->value()), 0, 'g', 3));
}

// --- Settings -----------------------------------------------------------------------------------

LearnSettings LearnView::settings() const
{
    LearnSettings s;
    for (const SettingsFormWidget* form : forms_)
        s = learnFields().apply(form->values(), s);
    s.temperature = temperature_->value();
    return s;
}

void LearnView::setSettings(const LearnSettings& settings)
{
    const FieldValues values = learnFields().values(settings);
    for (SettingsFormWidget* form : forms_)
        form->setValues(values);
    temperature_->setValue(settings.temperature);
}

// --- Data -------------------------------------------------------------------------------------

void LearnView::loadData(const QString& spec)
{
    const bool first = points_.isEmpty() && dataName_.isEmpty();
    const LearnSettings s = settings();
    loading_ = engine_->start(std::make_unique<LearnDataJob>(spec, s.count, quint64(s.seed)),
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
        if (first) {
            dataName_ = result.name;
            setPoints(result.points);   // the page's starting point is no undo step
        } else if (result.points != points_ || result.name != dataName_) {
            // Undo brings the set's name back with its points (the Set box and the gallery follow).
            undo_->push(snapshotCommand(this, &LearnView::setLoadedData, LoadedData{dataName_, points_},
                                        LoadedData{result.name, result.points}, tr("Load %1").arg(result.name)));
        }
    });
}

void LearnView::setLoadedData(const LoadedData& data)
{
    dataName_ = data.name;
    const int index = dataBox_->findText(data.name);
    if (index >= 0)
        dataBox_->setCurrentIndex(index);   // a .npy path is in no box: the box keeps its set
    setPoints(data.points);
}

void LearnView::editPoints(const QVector<QPointF>& points, const QString& text)
{
    if (points == points_)
        return;
    undo_->push(snapshotCommand(this, &LearnView::setPoints, points_, points, text));
}

void LearnView::setPoints(const QVector<QPointF>& points)
{
    points_ = points.mid(0, kLearnMaxPoints);
    lab_->plane()->setDataPoints(points_);
    dataSummary_->setText(tr("%n point(s)", nullptr, int(points_.size())) +
                          (dataName_.isEmpty() ? QString() : tr(" (from %1, edits included)").arg(dataName_)));
    updateControls();
}

// --- Training -----------------------------------------------------------------------------------

LearnTrainSettings LearnView::trainSettings() const { return learnTrainSettings(settings()); }

void LearnView::setTrainSettings(const LearnTrainSettings& train)
{
    LearnSettings s = settings();
    setLearnTrainSettings(s, train);
    setSettings(s);
}

void LearnView::setContinueTraining(bool on)
{
    LearnSettings s = settings();
    s.continueTraining = on;
    setSettings(s);
}

void LearnView::startTraining()
{
    if (!canStart())
        return;
    const LearnSettings s = settings();
    const LearnTrainSettings train = learnTrainSettings(s);
    const bool goOn =
        s.continueTraining && !model_.isEmpty() && model_.width == train.width && model_.depth == train.depth;
    if (lab_->start(points_, train, goOn ? model_ : LearnModel{}))
        updateControls();
}

const LearnLandscape& LearnView::landscape() const { return lab_->landscape(); }
int LearnView::landscapeUpdates() const { return lab_->landscapeUpdates(); }
const QVector<float>& LearnView::losses() const { return lab_->losses(); }
bool LearnView::isTraining() const { return lab_->isTraining(); }

// --- Sampling ----------------------------------------------------------------------------------

LearnSampleSettings LearnView::sampleSettings() const
{
    const LearnSettings page = settings();
    LearnSampleSettings s;
    s.particles = page.particles;
    s.stepSize = page.stepSize;
    s.sigma0 = page.sigma0;
    s.extent = kLearnExtent;
    s.useSchedule = page.annealing != Annealing::TemperatureSlider;
    if (s.useSchedule)
        s.temperatures = learnScheduleTemperatures(page, editedCurve_);
    s.seed = quint64(page.seed);
    s.sampler = page.sampler;
    return s;
}

void LearnView::setSampleSettings(const LearnSampleSettings& sampling)
{
    LearnSettings s = settings();
    s.particles = sampling.particles;
    s.stepSize = sampling.stepSize;
    s.sampler = sampling.sampler;
    if (!sampling.temperatures.isEmpty())
        s.sampleSteps = sampling.temperatures.size();
    setSettings(s);
}

void LearnView::setAnnealing(Annealing annealing)
{
    LearnSettings s = settings();
    s.annealing = annealing;
    setSettings(s);
}

void LearnView::setEditedSchedule(const ebm::ScheduleCurve& curve, bool)
{
    editedCurve_ = curve;  // a run on it follows later edits through the hub
}

void LearnView::startSampling()
{
    if (model_.isEmpty() || isSampling())
        return;
    const LearnSettings s = settings();
    ParticlesDemo* particles = lab_->particles();
    if (!particles->start(model_, sampleSettings(), learnSliderTemperature(s.temperature), s.speed))
        return;
    // On the Schedule page's curve, the run follows its later edits, as the image runs do.
    if (s.annealing == Annealing::SchedulePage)
        annealing_->announceRun(tr("Learn page particles"), particles->run(), particles->scheduleFeed(),
                                s.sampleSteps);
    updateControls();
}

bool LearnView::isSampling() const { return lab_->particles()->isSampling(); }
const QVector<LearnSampleFrame>& LearnView::frames() const { return lab_->particles()->frames(); }
int LearnView::shownFrame() const { return lab_->particles()->shownFrame(); }
void LearnView::showFrame(int index) { lab_->particles()->showFrame(index); }
void LearnView::dropParticles(const QVector<QPointF>& points) { lab_->particles()->dropParticles(points); }
const QVector<QPointF>& LearnView::pendingDrops() const { return lab_->particles()->pendingDrops(); }

// --- Comparison and concentration -------------------------------------------------------------

void LearnView::startComparison()
{
    if (comparison_->isRunning())
        return;
    if (points_.isEmpty()) {
        Q_EMIT problem(tr("There are no data points to compare on: choose a data set or draw some."));
        return;
    }
    const LearnSettings s = settings();
    LearnCompareSettings compare;
    compare.train = learnTrainSettings(s);
    compare.singleSigma = s.singleSigma;
    compare.steps = s.compareSteps;
    compare.sampling = sampleSettings();
    if (compare.sampling.temperatures.isEmpty())
        compare.sampling.temperatures = learnScheduleTemperatures(s, editedCurve_);
    // The modes are known only for the untouched mixtures.
    compare.mixture = dataName_;
    if (comparison_->start(points_, compare))
        updateControls();
}

const LearnCompareResult& LearnView::comparison() const { return comparison_->result(); }

void LearnView::startSamplerComparison()
{
    if (samplerComparison_->isRunning())
        return;
    if (model_.isEmpty()) {
        Q_EMIT problem(tr("There is no model to sample: train one on the first tab."));
        return;
    }
    const LearnSettings s = settings();
    LearnSamplerCompareSettings compare;
    compare.sampling = sampleSettings();
    compare.sampling.stepSize = s.largeStepSize;
    // Annealed as the other comparison is: the slider's hand-driven runs have no end.
    if (compare.sampling.temperatures.isEmpty())
        compare.sampling.temperatures = learnScheduleTemperatures(s, editedCurve_);
    // The modes are known only for the untouched mixtures.
    compare.mixture = dataName_;
    if (samplerComparison_->start(model_, points_, compare))
        updateControls();
}

const LearnSamplerCompareResult& LearnView::samplerComparison() const { return samplerComparison_->result(); }

void LearnView::startConcentration() { concentration_->start(settings()); }

const LearnConcentrationResult& LearnView::concentrationResult() const { return concentration_->result(); }

// --- StudioPage ---------------------------------------------------------------------------------

void LearnView::togglePause()
{
    if (isSampling())
        lab_->particles()->togglePause();
    else if (isTraining())
        lab_->togglePause();
}

void LearnView::stepOnce()
{
    if (isSampling())
        lab_->particles()->step();
    else if (isTraining())
        lab_->step();
}

void LearnView::stop()
{
    lab_->particles()->stop();
    lab_->stop();
    comparison_->stop();
    samplerComparison_->stop();
}

QList<StudioPage::ShortcutHelp> LearnView::pageShortcuts() const
{
    return {
        {tr("Drag on the plane (Mouse: Draw points)"),
         tr("paints data points, more the longer it is held; one undo step")},
        {tr("Drag on the plane (Mouse: Erase points)"), tr("erases the data points under the brush; one undo step")},
        {tr("Click on the plane (Mouse: Drop particles)"),
         tr("drops particles: into the running run, or the next one")},
        {tr("Hover over the plane"), tr("reads E(x) and |∇E| at the mouse from the computed landscape")},
    };
}

bool LearnView::canStart() const { return !points_.isEmpty() && !isTraining(); }
bool LearnView::isRunning() const { return isSampling() || isTraining(); }
bool LearnView::isPaused() const { return isSampling() ? lab_->particles()->isPaused() : lab_->isPaused(); }

void LearnView::updateControls()
{
    lab_->updateControls(!points_.isEmpty());
    lab_->particles()->updateControls(!model_.isEmpty() && !isTraining());
    comparison_->updateControls();
    samplerComparison_->updateControls(!model_.isEmpty() && !isTraining());
    temperature_->setEnabled(settings().annealing == Annealing::TemperatureSlider);
    Q_EMIT runStateChanged();
}

void LearnView::writeSession(QJsonObject& root) const
{
    const QJsonObject settingsJson = learnSettingsToJson(settings());
    for (auto it = settingsJson.begin(); it != settingsJson.end(); ++it)
        root.insert(it.key(), it.value());
    root.insert(QStringLiteral("data"), dataName_);
    root.insert(QStringLiteral("points"), learnPointsToBase64(points_));
    if (!model_.isEmpty())
        root.insert(QStringLiteral("model"), learnModelToJson(model_));
}

void LearnView::readSession(const QJsonObject& root)
{
    LearnSettings restored;
    QString error;
    if (learnSettingsFromJson(root, settings(), restored, error))
        setSettings(restored);
    else
        Q_EMIT problem(tr("The session's Learn settings were left out: %1").arg(error));
    if (root.contains(QStringLiteral("points"))) {
        if (loading_ && loading_->isActive())
            loading_->cancel();   // the session's points win over a toy still being made
        dataName_ = root.value(QStringLiteral("data")).toString();
        const int index = dataBox_->findText(dataName_);
        if (index >= 0)
            dataBox_->setCurrentIndex(index);
        setPoints(learnPointsFromBase64(root.value(QStringLiteral("points")).toString(), kLearnMaxPoints));
    }
    restoreModel(root.value(QStringLiteral("model")).toObject());
    updateControls();
}

void LearnView::restoreModel(const QJsonObject& json)
{
    if (json.isEmpty())
        return;
    const LearnModel restored = learnModelFromJson(json);
    if (!learnModelIsWhole(restored)) {
        Q_EMIT problem(tr("The session's Learn model is damaged (%1 weights for a %2x%3 MLP); it was left out.")
                           .arg(restored.weights.size()).arg(restored.depth).arg(restored.width));
        return;
    }
    model_ = restored;
    if (!points_.isEmpty() && !isTraining())
        lab_->drawLandscape(points_, trainSettings(), restored);
}

// --- Widgets ------------------------------------------------------------------------------------

LandscapePlot* LearnView::landscapePlot() const { return lab_->plane(); }
LandscapePlot* LearnView::singlePlot() const { return comparison_->singlePlot(); }
LandscapePlot* LearnView::multiscalePlot() const { return comparison_->multiscalePlot(); }
LandscapePlot* LearnView::langevinPlot() const { return samplerComparison_->langevinPlot(); }
LandscapePlot* LearnView::malaPlot() const { return samplerComparison_->malaPlot(); }
PlotPanel* LearnView::lossPlot() const { return lab_->lossPlot(); }
PlotPanel* LearnView::distancePlot() const { return concentration_->distancePlot(); }
PlotPanel* LearnView::anglePlot() const { return concentration_->anglePlot(); }
PlotPanel* LearnView::bandPlot() const { return concentration_->bandPlot(); }
QSlider* LearnView::timeline() const { return lab_->particles()->timeline(); }
QLabel* LearnView::comparisonNumbers() const { return comparison_->numbers(); }
QLabel* LearnView::samplerComparisonNumbers() const { return samplerComparison_->numbers(); }
QLabel* LearnView::particleFrameLabel() const { return lab_->particles()->frameLabel(); }
QLabel* LearnView::concentrationSummary() const { return concentration_->summary(); }
RunControls* LearnView::trainControls() const { return lab_->controls(); }
RunControls* LearnView::sampleControls() const { return lab_->particles()->controls(); }

}  // namespace ebm::studio
