#include "pages/energy/energy_view.h"

#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

#include "annealing/annealing_hub.h"
#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/run_controls.h"
#include "pages/energy/energy_charts.h"
#include "pages/energy/energy_comparison_panel.h"
#include "pages/energy/energy_fields.h"
#include "pages/energy/energy_image_preview.h"
#include "pages/energy/energy_image_table.h"
#include "pages/energy/energy_set_editor.h"

namespace ebm::studio {
namespace {

constexpr int kLeftColumnWidth = 360;
constexpr double kNoiseStdWithoutModel = 0.1;
const QString kNoiseStdKey = QStringLiteral("noiseStd");
const QString kSetsKey = QStringLiteral("sets");

}  // namespace

EnergyView::EnergyView(StudioEngine* engine, QWidget* parent) : EnergyView(engine, nullptr, nullptr, parent) {}

EnergyView::EnergyView(StudioEngine* engine, AnnealingHub* picks, UndoFieldBinder* undo, QWidget* parent)
    : StudioPage(tr("E&nergy"), QStringLiteral("energy"), parent), engine_(engine)
{
    registerEnergyTypes();
    keepFields<EnergyMeasureSettings>(
        energyFields(), [this] { return measureSettings(); },
        [this](const EnergyMeasureSettings& s) { setMeasureSettings(s); });
    keepInSession([this](QJsonObject& part) { part.insert(kSetsKey, sets_.sourcesToJson()); },
                  [this](const QJsonObject& part) { restoreSets(part); });
    QWidget* leftColumn = buildLeftColumn(undo);
    QWidget* results = buildResults();
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(leftColumn);
    layout->addWidget(results, 1);

    connect(engine_, &StudioEngine::activityChanged, this, &EnergyView::updateControls);
    connect(engine_, &StudioEngine::modelLoaded, this, [this](const ModelInfo& info) {
        FieldValues noise;  // the new model's sigma0, not an edit to undo
        noise.set(kNoiseStdKey, info.sigma0);
        form_->setValues(noise);
    });
    // The hub may outlive the page (it asks only while both exist in the studio).
    if (picks)
        picks->setSelectedTableImageSource(
            [page = QPointer<EnergyView>(this)] { return page ? page->selectedTableImage() : QImage(); });
    refreshSets();
    updateControls();
}

QWidget* EnergyView::buildLeftColumn(UndoFieldBinder* undo)
{
    runControls_ = new RunControls(tr("Score all"), tr("Score every set again with the current settings"), false,
                                   RunControls::Layout::Row, this);
    connect(runControls_, &RunControls::startRequested, this, &EnergyView::scoreAll);
    connect(runControls_, &RunControls::stopRequested, this, &EnergyView::stop);

    form_ = new SettingsForm<EnergyMeasureSettings>(energyFields(), undo);
    EnergyMeasureSettings measure;
    measure.noiseStd = engine_->hasModel() ? engine_->model().sigma0 : kNoiseStdWithoutModel;
    form_->setSettings(measure);
    editor_ = new EnergySetEditor;
    connect(editor_, &EnergySetEditor::addRequested, this, &EnergyView::addFromForm);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    status_ = new QLabel;
    status_->setWordWrap(true);
    // The column's width, whatever the message: a long error wraps instead of widening it.
    QSizePolicy statusPolicy = status_->sizePolicy();
    statusPolicy.setHorizontalPolicy(QSizePolicy::Ignored);
    status_->setSizePolicy(statusPolicy);

    auto* forms = new QWidget;
    auto* formsLayout = new QVBoxLayout(forms);
    formsLayout->setContentsMargins(0, 0, 0, 0);
    formsLayout->addWidget(form_);
    formsLayout->addWidget(editor_);
    formsLayout->addWidget(buildSetsBox(), 1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(forms);
    scroll->setWidgetResizable(true);
    auto* column = new QWidget;
    column->setObjectName(QStringLiteral("energyLeftColumn"));
    column->setFixedWidth(kLeftColumnWidth);
    auto* columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->addWidget(runControls_);   // on top, outside the scrolled forms, as on every page
    columnLayout->addWidget(scroll, 1);
    columnLayout->addWidget(progress_);
    columnLayout->addWidget(status_);
    return column;
}

void EnergyView::setStatus(const QString& message)
{
    QString breakable = message;
    breakable.replace(QLatin1Char('/'), QStringLiteral("/\u200B"));   // a zero-width space: a place to wrap
    status_->setText(breakable);
    status_->setToolTip(message);
}

QGroupBox* EnergyView::buildSetsBox()
{
    auto* setsBox = new QGroupBox(tr("Sets"));
    auto* setsLayout = new QVBoxLayout(setsBox);
    setList_ = new QListWidget;
    setList_->setWordWrap(true);
    remove_ = new QPushButton(tr("Remove"));
    exportCsv_ = new QPushButton(tr("Export table as CSV…"));
    setsLayout->addWidget(setList_, 1);
    auto* setButtons = new QHBoxLayout;
    setButtons->addWidget(remove_);
    setButtons->addWidget(exportCsv_);
    setsLayout->addLayout(setButtons);
    connect(remove_, &QPushButton::clicked, this, [this] { removeSet(setList_->currentRow()); });
    connect(exportCsv_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export energies"), QStringLiteral("energies.csv"),
                                                          tr("CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !exportCsv(path, error))
            Q_EMIT problem(error);
    });
    return setsBox;
}

QWidget* EnergyView::buildResults()
{
    histogram_ = new EnergyHistogramChart;
    connect(histogram_, &EnergyHistogramChart::selectedRangeChanged, this, &EnergyView::applyRangeFilter);
    imageTable_ = new EnergyImageTable;
    connect(imageTable_, &EnergyImageTable::imageChosen, this, &EnergyView::showImage);
    preview_ = new EnergyImagePreview(engine_);
    auto* tableRow = new QWidget;
    auto* tableLayout = new QHBoxLayout(tableRow);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addWidget(imageTable_, 1);
    tableLayout->addWidget(preview_);
    comparison_ = new EnergyComparisonPanel(engine_, sets_);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(histogram_);
    split->addWidget(tableRow);
    split->addWidget(comparison_);
    split->setChildrenCollapsible(false);
    return split;
}

EnergyMeasureSettings EnergyView::measureSettings() const { return form_->settings(); }

void EnergyView::setMeasureSettings(const EnergyMeasureSettings& s) { form_->setSettings(s); }

bool EnergyView::addSet(const EnergySetSource& source, QString& error)
{
    if (!sets_.add(source, error))
        return false;
    refreshSets();
    scoreNext();
    return true;
}

bool EnergyView::addTransformedSet(const QString& name, const QString& base, const QString& transforms, QString& error)
{
    EnergySetSource s;
    return sets_.transformedCopy(name, base, transforms, s, error) && addSet(s, error);
}

void EnergyView::addFromForm()
{
    QString error;
    bool added = false;
    if (editor_->sourceKind() == EnergySetEditor::SourceKind::Transformed) {
        added = addTransformedSet(editor_->setName(), editor_->baseName(), editor_->transforms(), error);
    } else {
        EnergySetSource s;
        added = editor_->readSource(s, error) && addSet(s, error);
    }
    if (!added) {
        setStatus(error);
        Q_EMIT problem(error);
        return;
    }
    editor_->clearName();
}

void EnergyView::removeSet(int index)
{
    if (index < 0 || index >= sets_.size())
        return;
    if (sets_[index].state == SetState::Scoring && scoring_)
        scoring_->cancel();
    sets_.removeAt(index);
    refreshAll();
}

void EnergyView::scoreAll()
{
    if (isRunning())
        return;
    for (int i = 0; i < sets_.size(); ++i)
        sets_[i].state = SetState::Pending;
    refreshSets();
    scoreNext();
}

void EnergyView::stop()
{
    sets_.unqueuePending();
    if (scoring_)
        scoring_->cancel();
    refreshSets();
}

bool EnergyView::canStart() const
{
    return engine_->hasModel() && engine_->model().imageModel && !sets_.isEmpty() && !isRunning();
}

bool EnergyView::isRunning() const { return scoring_ && scoring_->isActive(); }

void EnergyView::scoreNext()
{
    if (isRunning())
        return;
    for (int i = 0; i < sets_.size(); ++i) {
        ImageSet& set = sets_[i];
        if (set.state != SetState::Pending)
            continue;
        const int id = set.id;
        JobHandle* handle = engine_->start(std::make_unique<EnergyJob>(set.source, measureSettings()));
        if (!handle)
            return;
        set.state = SetState::Scoring;
        scoring_ = handle;
        progress_->setValue(0);
        setStatus(tr("Scoring '%1'…").arg(set.source.name));
        connect(handle, &JobHandle::progress, this, [this](const QVariant& v) {
            const EnergyProgress p = v.value<EnergyProgress>();
            if (p.total > 0)
                progress_->setValue(static_cast<int>(progress_->maximum() * p.done / p.total));
        });
        connect(handle, &JobHandle::finished, this, [this, id](const QVariant& r) { onScored(id, r); });
        refreshSets();
        updateControls();
        return;
    }
    updateControls();
}

void EnergyView::onScored(int setId, const QVariant& value)
{
    const int index = sets_.indexOfId(setId);
    const EnergySetResult result = value.isValid() ? value.value<EnergySetResult>() : EnergySetResult{};
    if (index >= 0) {
        ImageSet& set = sets_[index];
        set.result = result;
        const bool cancelled = result.cancelled || !value.isValid();  // invalid: dropped before it ran
        set.state = result.ok ? SetState::Scored : cancelled ? SetState::Cancelled : SetState::Failed;
        reportScoring(set);
        if (set.state == SetState::Cancelled)
            sets_.unqueuePending();
    }
    progress_->setValue(result.ok ? progress_->maximum() : 0);
    refreshAll();
    scoreNext();
    updateControls();
}

void EnergyView::reportScoring(const ImageSet& set)
{
    const EnergySetResult& result = set.result;
    QString message;
    if (result.ok) {
        message = tr("'%1': %2 images in %3 s; %4").arg(set.source.name).arg(result.energy.size())
                      .arg(result.seconds, 0, 'f', 1).arg(result.conversion);
        if (!result.skipped.isEmpty())
            message += tr("; skipped %1 unreadable file(s)").arg(result.skipped.size());
    } else if (set.state == SetState::Cancelled) {
        message = tr("'%1': scoring cancelled").arg(set.source.name);
    } else {
        message = tr("'%1' not scored: %2").arg(set.source.name, result.error);
        Q_EMIT problem(message);
    }
    setStatus(message);
    Q_EMIT statusMessage(message);
}

void EnergyView::refreshAll()
{
    refreshSets();
    refreshTable();
    refreshCharts();
    comparison_->refreshChoices();
}

void EnergyView::refreshSets()
{
    const int current = setList_->currentRow();
    setList_->clear();
    for (const ImageSet& set : sets_.items())
        setList_->addItem(describeSet(set));
    editor_->setSetNames(sets_.names());
    setList_->setCurrentRow(std::min(current, int(setList_->count()) - 1));
}

void EnergyView::refreshTable()
{
    imageTable_->showSets(sets_.items());
    applyRangeFilter();
}

void EnergyView::applyRangeFilter()
{
    imageTable_->filterEnergies(histogram_->hasSelectedRange(), histogram_->selectedLow(), histogram_->selectedHigh());
}

int EnergyView::visibleRows() const { return imageTable_->visibleRows(); }

QImage EnergyView::selectedTableImage() const
{
    int setId = -1, imageIndex = -1;
    if (!imageTable_->selectedImage(setId, imageIndex))
        return {};
    const int index = sets_.indexOfId(setId);
    return index >= 0 ? sets_[index].result.images.value(imageIndex) : QImage();
}

void EnergyView::refreshCharts()
{
    QVector<EnergyHistogramChart::Series> series;
    for (const ImageSet& set : sets_.items())
        if (set.state == SetState::Scored)
            series << EnergyHistogramChart::Series{set.source.name, set.result.energy};
    histogram_->setSeries(series);
}

void EnergyView::compareSets(const QString& inlier, const QString& outlier) { comparison_->compare(inlier, outlier); }

void EnergyView::showImage(int setId, int imageIndex)
{
    const int index = sets_.indexOfId(setId);
    if (index >= 0 && imageIndex < sets_[index].result.images.size())
        preview_->showImage(sets_[index], imageIndex, measureSettings());
}

bool EnergyView::exportCsv(const QString& path, QString& error) const { return sets_.writeCsv(path, error); }

void EnergyView::restoreSets(const QJsonObject& settings)
{
    if (!settings.contains(kSetsKey))
        return;
    stop();
    // The sources come back unscored: "Score all" measures them with the restored settings.
    sets_.restoreSources(settings.value(kSetsKey).toArray());
    refreshAll();
    updateControls();
}

void EnergyView::updateControls()
{
    runControls_->setState(canStart(), isRunning(), false);
    exportCsv_->setEnabled(imageTable_->rowCount() > 0);
    remove_->setEnabled(!sets_.isEmpty());
}

const EnergyComparison& EnergyView::comparison() const { return comparison_->comparison(); }
QTableWidget* EnergyView::table() const { return imageTable_->table(); }
QLabel* EnergyView::aurocLabel() const { return comparison_->aurocLabel(); }
QLabel* EnergyView::preview() const { return preview_->picture(); }
const QImage& EnergyView::noisyView() const { return preview_->noisyView(); }
const QImage& EnergyView::denoisedView() const { return preview_->denoisedView(); }
RocChart* EnergyView::rocChart() const { return comparison_->rocChart(); }

}  // namespace ebm::studio
