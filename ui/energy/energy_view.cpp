#include "energy/energy_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPainter>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTextStream>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

#include "energy/energy_charts.h"
#include "engine/job_handle.h"
#include "engine/studio_engine.h"
#include "widgets/run_controls.h"

namespace ebm::studio {
namespace {

constexpr int kLeftColumnWidth = 360;
constexpr int kDefaultDraws = 8;
constexpr int kMaxDraws = 100000;          // each draw is one pass over the images
constexpr int kDefaultLimit = 1000;        // table rows with thumbnails stay quick
constexpr int kMaxLimit = 100000;
constexpr int kNoiseDecimals = 4;
constexpr double kMaxNoiseStd = 10.0;
constexpr double kNoiseStep = 0.01;
constexpr int kThumbnailSide = 32;         // pixels in the table
constexpr int kPreviewSide = 128;          // pixels of the large image; the noisy and denoised views are half
constexpr int kCsvDigits = std::numeric_limits<float>::max_digits10;
const QString kFashionMnist = QStringLiteral("fashion-mnist");

enum Column { ImageColumn, SetColumn, IndexColumn, EnergyColumn, SpreadColumn, ResidualColumn, ColumnCount };
constexpr int kSetIdRole = Qt::UserRole;
constexpr int kImageRole = Qt::UserRole + 1;

struct Summary {
    qint64 count = 0;
    double mean = 0.0;
    double std = 0.0;
};

/// Mean and standard deviation with Bessel's correction, as ebm::summarize.
Summary summarize(const QVector<double>& values)
{
    Summary s;
    s.count = values.size();
    if (values.isEmpty())
        return s;
    for (double v : values)
        s.mean += v;
    s.mean /= values.size();
    if (values.size() > 1) {
        double squares = 0.0;
        for (double v : values)
            squares += (v - s.mean) * (v - s.mean);
        s.std = std::sqrt(squares / (values.size() - 1));
    }
    return s;
}

QString csvField(const QString& text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString describeSource(const EnergySetSource& s)
{
    QString text = s.spec == kFashionMnist ? QObject::tr("Fashion-MNIST %1").arg(s.train ? QObject::tr("train") : QObject::tr("test"))
                                           : s.spec;
    if (!s.classes.isEmpty()) {
        QStringList classes;
        for (int c : s.classes)
            classes << QString::number(c);
        text += QObject::tr(", classes %1").arg(classes.join(QLatin1Char(',')));
    }
    if (s.limit > 0)
        text += QObject::tr(", first %1").arg(s.limit);
    if (!s.transforms.isEmpty())
        text += QObject::tr(", %1").arg(s.transforms);
    return text;
}

QJsonObject sourceToJson(const EnergySetSource& s)
{
    QJsonArray classes;
    for (int c : s.classes)
        classes.append(c);
    return QJsonObject{{QStringLiteral("name"), s.name},        {QStringLiteral("spec"), s.spec},
                       {QStringLiteral("train"), s.train},      {QStringLiteral("classes"), classes},
                       {QStringLiteral("limit"), s.limit},      {QStringLiteral("transforms"), s.transforms}};
}

EnergySetSource sourceFromJson(const QJsonObject& o)
{
    EnergySetSource s;
    s.name = o.value(QStringLiteral("name")).toString();
    s.spec = o.value(QStringLiteral("spec")).toString();
    s.train = o.value(QStringLiteral("train")).toBool();
    for (const QJsonValue& c : o.value(QStringLiteral("classes")).toArray())
        s.classes << c.toInt();
    s.limit = o.value(QStringLiteral("limit")).toInt();
    s.transforms = o.value(QStringLiteral("transforms")).toString();
    return s;
}

QTableWidgetItem* numberItem(double value)
{
    auto* item = new QTableWidgetItem;
    item->setData(Qt::DisplayRole, value);  // a number: sorts numerically
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

}  // namespace

EnergyView::EnergyView(StudioEngine* engine, QWidget* parent) : StudioPage(parent), engine_(engine)
{
    registerEnergyTypes();
    runControls_ = new RunControls(tr("Score all"), tr("Score every set again with the current settings"), false,
                                   RunControls::Layout::Row, this);
    connect(runControls_, &RunControls::startRequested, this, &EnergyView::scoreAll);
    connect(runControls_, &RunControls::stopRequested, this, &EnergyView::stop);

    // --- measurement -------------------------------------------------------------------------
    auto* measure = new QGroupBox(tr("Measurement"));
    auto* measureForm = new QFormLayout(measure);
    noiseStd_ = new QDoubleSpinBox;
    noiseStd_->setDecimals(kNoiseDecimals);
    noiseStd_->setRange(0.0, kMaxNoiseStd);
    noiseStd_->setSingleStep(kNoiseStep);
    noiseStd_->setValue(engine_->hasModel() ? engine_->model().sigma0 : 0.1);
    noiseStd_->setToolTip(tr("N(0, std²) added before each evaluation (default: the model's sigma0); 0 = none"));
    draws_ = new QSpinBox;
    draws_->setRange(1, kMaxDraws);
    draws_->setValue(kDefaultDraws);
    draws_->setToolTip(tr("Noise draws averaged per image"));
    seed_ = new QSpinBox;
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setValue(1);
    residual_ = new QCheckBox(tr("Denoising residual ‖σ0² ∂E/∂x‖"));
    residual_->setToolTip(tr("A second score (an input gradient per draw)"));
    measureForm->addRow(tr("Noise std"), noiseStd_);
    measureForm->addRow(tr("Draws (K)"), draws_);
    measureForm->addRow(tr("Seed"), seed_);
    measureForm->addRow(residual_);

    // --- add a set ---------------------------------------------------------------------------
    auto* adding = new QGroupBox(tr("Add a set"));
    auto* addForm = new QFormLayout(adding);
    name_ = new QLineEdit;
    name_->setPlaceholderText(tr("e.g. test, inverted"));
    kind_ = new QComboBox;
    kind_->addItem(tr("Picture, folder or .npy"), int(SourceKind::Path));
    kind_->addItem(tr("Fashion-MNIST split"), int(SourceKind::DataSet));
    kind_->addItem(tr("Transformed copy of a set"), int(SourceKind::Transformed));
    kind_->addItem(tr("The Sample page's last samples"), int(SourceKind::LastSamples));
    path_ = new QLineEdit;
    browse_ = new QPushButton(tr("Browse…"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse_);
    split_ = new QComboBox;
    split_->addItem(tr("test"), false);
    split_->addItem(tr("train"), true);
    classes_ = new QLineEdit;
    classes_->setPlaceholderText(tr("all; or e.g. 0,2,5"));
    limit_ = new QSpinBox;
    limit_->setRange(0, kMaxLimit);
    limit_->setValue(kDefaultLimit);
    limit_->setSpecialValueText(tr("all"));
    base_ = new QComboBox;
    transform_ = new QLineEdit;
    transform_->setPlaceholderText(tr("invert, flip, noise:STD, shift:K (comma-separated)"));
    add_ = new QPushButton(tr("Add and score"));
    add_->setObjectName(QStringLiteral("addEnergySet"));
    addForm->addRow(tr("Name"), name_);
    addForm->addRow(tr("Source"), kind_);
    addForm->addRow(tr("Path"), pathRow);
    addForm->addRow(tr("Split"), split_);
    addForm->addRow(tr("Classes"), classes_);
    addForm->addRow(tr("Limit"), limit_);
    addForm->addRow(tr("Copy of"), base_);
    addForm->addRow(tr("Transform"), transform_);
    addForm->addRow(add_);
    connect(kind_, &QComboBox::currentIndexChanged, this, &EnergyView::updateSourceFields);
    connect(add_, &QPushButton::clicked, this, &EnergyView::addFromForm);
    connect(browse_, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Image set"), path_->text(),
                                                          tr("Images and arrays (*.png *.jpg *.jpeg *.npy);;All files (*)"));
        if (!file.isEmpty())
            path_->setText(file);
    });

    // --- sets ----------------------------------------------------------------------------------
    auto* setsBox = new QGroupBox(tr("Sets"));
    auto* setsLayout = new QVBoxLayout(setsBox);
    setList_ = new QListWidget;
    setList_->setWordWrap(true);
    remove_ = new QPushButton(tr("Remove"));
    exportCsv_ = new QPushButton(tr("Export table as CSV…"));
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    status_ = new QLabel;
    status_->setWordWrap(true);
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

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(measure);
    leftLayout->addWidget(adding);
    leftLayout->addWidget(setsBox, 1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(left);
    scroll->setWidgetResizable(true);
    scroll->setFixedWidth(kLeftColumnWidth);
    auto* leftColumn = new QVBoxLayout;
    leftColumn->addWidget(scroll, 1);
    leftColumn->addWidget(progress_);
    leftColumn->addWidget(status_);
    leftColumn->addWidget(runControls_);

    // --- results -------------------------------------------------------------------------------
    histogram_ = new EnergyHistogramChart;
    table_ = new QTableWidget(0, ColumnCount);
    table_->setHorizontalHeaderLabels({tr("Image"), tr("Set"), tr("Index"), tr("Energy"), tr("Spread"), tr("Residual")});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setIconSize(QSize(kThumbnailSide, kThumbnailSide));
    table_->verticalHeader()->setDefaultSectionSize(kThumbnailSide + 4);
    table_->verticalHeader()->hide();
    table_->setSortingEnabled(true);
    connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) { showImage(row); });
    preview_ = new QLabel;
    preview_->setFixedSize(kPreviewSide, kPreviewSide + kPreviewSide / 2);
    preview_->setToolTip(tr("The image; below it with the measurement's noise, and that noisy image after one "
                            "denoising step x − σ₀² ∂E/∂x (eq. 9)"));
    preview_->setAlignment(Qt::AlignCenter);
    preview_->setFrameShape(QFrame::StyledPanel);
    previewNote_ = new QLabel(tr("Click a row to see its image."));
    previewNote_->setWordWrap(true);
    previewNote_->setMaximumWidth(kPreviewSide * 3 / 2);
    auto* previewBox = new QVBoxLayout;
    previewBox->addWidget(preview_);
    previewBox->addWidget(previewNote_);
    previewBox->addStretch(1);
    filterNote_ = new QLabel;
    filterNote_->setObjectName(QStringLiteral("energyFilterNote"));
    filterNote_->setStyleSheet(QStringLiteral("color: gray"));
    auto* tableColumn = new QVBoxLayout;
    tableColumn->addWidget(filterNote_);
    tableColumn->addWidget(table_, 1);
    auto* tableRow = new QWidget;
    auto* tableLayout = new QHBoxLayout(tableRow);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addLayout(tableColumn, 1);
    tableLayout->addLayout(previewBox);
    connect(histogram_, &EnergyHistogramChart::selectedRangeChanged, this, &EnergyView::applyRangeFilter);

    inlier_ = new QComboBox;
    outlier_ = new QComboBox;
    auroc_ = new QLabel(tr("AUROC: add two sets"));
    auroc_->setObjectName(QStringLiteral("energyAuroc"));
    summary_ = new QLabel;
    summary_->setWordWrap(true);
    roc_ = new RocChart;
    auto* compareForm = new QFormLayout;
    compareForm->addRow(tr("Inliers"), inlier_);
    compareForm->addRow(tr("Outliers"), outlier_);
    compareForm->addRow(auroc_);
    compareForm->addRow(summary_);
    auto* compareRow = new QWidget;
    auto* compareLayout = new QHBoxLayout(compareRow);
    compareLayout->setContentsMargins(0, 0, 0, 0);
    compareLayout->addLayout(compareForm, 1);
    compareLayout->addWidget(roc_, 2);
    connect(inlier_, &QComboBox::currentIndexChanged, this, &EnergyView::requestComparison);
    connect(outlier_, &QComboBox::currentIndexChanged, this, &EnergyView::requestComparison);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(histogram_);
    split->addWidget(tableRow);
    split->addWidget(compareRow);
    split->setChildrenCollapsible(false);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(leftColumn);
    layout->addWidget(split, 1);

    connect(engine_, &StudioEngine::activityChanged, this, &EnergyView::updateControls);
    connect(engine_, &StudioEngine::modelLoaded, this, [this](const ModelInfo& info) { noiseStd_->setValue(info.sigma0); });
    updateSourceFields();
    refreshSets();
    updateControls();
}

EnergyMeasureSettings EnergyView::measureSettings() const
{
    EnergyMeasureSettings s;
    s.noiseStd = noiseStd_->value();
    s.draws = draws_->value();
    s.seed = static_cast<quint64>(seed_->value());
    s.residual = residual_->isChecked();
    return s;
}

void EnergyView::setMeasureSettings(const EnergyMeasureSettings& s)
{
    noiseStd_->setValue(s.noiseStd);
    draws_->setValue(s.draws);
    seed_->setValue(static_cast<int>(s.seed));
    residual_->setChecked(s.residual);
}

int EnergyView::indexOf(const QString& name) const
{
    for (int i = 0; i < sets_.size(); ++i)
        if (sets_[i].source.name == name)
            return i;
    return -1;
}

bool EnergyView::addSet(const EnergySetSource& source, QString& error)
{
    EnergySetSource s = source;
    s.name = s.name.trimmed();
    if (s.name.isEmpty())
        s.name = tr("set %1").arg(nextSetId_);
    if (indexOf(s.name) >= 0) {
        error = tr("A set is already named '%1'.").arg(s.name);
        return false;
    }
    if (s.spec.trimmed().isEmpty()) {
        error = tr("Set '%1' has no source: give a picture, folder or .npy path.").arg(s.name);
        return false;
    }
    ImageSet set;
    set.id = nextSetId_++;
    set.source = s;
    set.state = SetState::Pending;
    sets_ << set;
    refreshSets();
    scoreNext();
    return true;
}

bool EnergyView::addTransformedSet(const QString& name, const QString& base, const QString& transforms, QString& error)
{
    const int b = indexOf(base);
    if (b < 0) {
        error = tr("There is no set named '%1' to copy.").arg(base);
        return false;
    }
    EnergySetSource s = sets_[b].source;
    s.name = name;
    const QString chain = transforms.trimmed();
    s.transforms = s.transforms.isEmpty() ? chain : chain.isEmpty() ? s.transforms : s.transforms + QLatin1Char(',') + chain;
    return addSet(s, error);
}

void EnergyView::addFromForm()
{
    QString error;
    bool added = false;
    const SourceKind kind = SourceKind(kind_->currentData().toInt());
    if (kind == SourceKind::Transformed) {
        added = addTransformedSet(name_->text(), base_->currentText(), transform_->text(), error);
    } else {
        EnergySetSource s;
        s.name = name_->text();
        s.spec = kind == SourceKind::DataSet       ? kFashionMnist
                 : kind == SourceKind::LastSamples ? kLastSamplesSpec
                                                   : path_->text().trimmed();
        s.train = split_->currentData().toBool();
        s.limit = limit_->value();
        s.transforms = transform_->text().trimmed();
        for (const QString& part : classes_->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int c = part.trimmed().toInt(&ok);
            if (!ok || c < 0) {
                error = tr("Classes: '%1' is not a class number (e.g. 0,2,5).").arg(part.trimmed());
                break;
            }
            s.classes << c;
        }
        added = error.isEmpty() && addSet(s, error);
    }
    if (!added) {
        status_->setText(error);
        Q_EMIT problem(error);
        return;
    }
    name_->clear();
}

void EnergyView::removeSet(int index)
{
    if (index < 0 || index >= sets_.size())
        return;
    if (sets_[index].state == SetState::Scoring && scoring_)
        scoring_->cancel();
    sets_.removeAt(index);
    refreshSets();
    refreshTable();
    refreshCharts();
    refreshComparisonChoices();
}

void EnergyView::scoreAll()
{
    if (isRunning())
        return;
    for (ImageSet& set : sets_)
        set.state = SetState::Pending;
    refreshSets();
    scoreNext();
}

void EnergyView::stop()
{
    for (ImageSet& set : sets_)
        if (set.state == SetState::Pending)
            set.state = SetState::NotScored;
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
    for (ImageSet& set : sets_) {
        if (set.state != SetState::Pending)
            continue;
        const int id = set.id;
        JobHandle* handle = engine_->start(std::make_unique<EnergyJob>(set.source, measureSettings()));
        if (!handle)
            return;
        set.state = SetState::Scoring;
        scoring_ = handle;
        progress_->setValue(0);
        status_->setText(tr("Scoring '%1'…").arg(set.source.name));
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
    int index = -1;
    for (int i = 0; i < sets_.size(); ++i)
        if (sets_[i].id == setId)
            index = i;
    const EnergySetResult result = value.isValid() ? value.value<EnergySetResult>() : EnergySetResult{};
    if (index >= 0) {
        ImageSet& set = sets_[index];
        set.result = result;
        set.state = result.ok ? SetState::Scored : (result.cancelled || !value.isValid()) ? SetState::Cancelled : SetState::Failed;
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
        status_->setText(message);
        Q_EMIT statusMessage(message);
        if (set.state == SetState::Cancelled)
            for (ImageSet& other : sets_)
                if (other.state == SetState::Pending)
                    other.state = SetState::NotScored;
    }
    progress_->setValue(result.ok ? progress_->maximum() : 0);
    refreshSets();
    refreshTable();
    refreshCharts();
    refreshComparisonChoices();
    scoreNext();
    updateControls();
}

void EnergyView::refreshSets()
{
    const int current = setList_->currentRow();
    setList_->clear();
    const QString previousBase = base_->currentText();
    base_->clear();
    for (const ImageSet& set : sets_) {
        QString state;
        switch (set.state) {
        case SetState::NotScored: state = tr("not scored"); break;
        case SetState::Pending: state = tr("waiting"); break;
        case SetState::Scoring: state = tr("scoring…"); break;
        case SetState::Failed: state = tr("failed: %1").arg(set.result.error); break;
        case SetState::Cancelled: state = tr("cancelled"); break;
        case SetState::Scored: {
            const Summary e = summarize(set.result.energy);
            state = tr("%1 images, energy %2 ± %3").arg(e.count).arg(e.mean, 0, 'g', 5).arg(e.std, 0, 'g', 3);
            if (!set.result.conversion.isEmpty())
                state += QLatin1Char('\n') + set.result.conversion;
            if (!set.result.skipped.isEmpty())
                state += QLatin1Char('\n') + tr("skipped: %1").arg(set.result.skipped.join(QStringLiteral("; ")));
            break;
        }
        }
        setList_->addItem(QStringLiteral("%1 — %2\n%3").arg(set.source.name, describeSource(set.source), state));
        base_->addItem(set.source.name);
    }
    setList_->setCurrentRow(std::min(current, int(setList_->count()) - 1));
    if (const int b = base_->findText(previousBase); b >= 0)
        base_->setCurrentIndex(b);
}

void EnergyView::refreshTable()
{
    table_->setSortingEnabled(false);
    table_->clearContents();
    int rows = 0;
    for (const ImageSet& set : sets_)
        if (set.state == SetState::Scored)
            rows += set.result.energy.size();
    table_->setRowCount(rows);
    int row = 0;
    for (const ImageSet& set : sets_) {
        if (set.state != SetState::Scored)
            continue;
        const EnergySetResult& r = set.result;
        for (int i = 0; i < r.energy.size(); ++i, ++row) {
            auto* image = new QTableWidgetItem;
            if (i < r.images.size())
                image->setIcon(QIcon(QPixmap::fromImage(r.images[i].scaled(kThumbnailSide, kThumbnailSide))));
            image->setData(kSetIdRole, set.id);
            image->setData(kImageRole, i);
            table_->setItem(row, ImageColumn, image);
            table_->setItem(row, SetColumn, new QTableWidgetItem(set.source.name));
            auto* index = numberItem(static_cast<double>(r.rows.value(i, i)));
            if (i < r.files.size())
                index->setToolTip(r.files[i]);
            table_->setItem(row, IndexColumn, index);
            table_->setItem(row, EnergyColumn, numberItem(r.energy[i]));
            table_->setItem(row, SpreadColumn, numberItem(r.spread.value(i)));
            table_->setItem(row, ResidualColumn, i < r.residual.size() ? numberItem(r.residual[i]) : new QTableWidgetItem);
        }
    }
    table_->setSortingEnabled(true);
    applyRangeFilter();
}

void EnergyView::applyRangeFilter()
{
    const bool filtering = histogram_->hasSelectedRange();
    int shown = 0;
    for (int row = 0; row < table_->rowCount(); ++row) {
        const QTableWidgetItem* energy = table_->item(row, EnergyColumn);
        const double e = energy ? energy->data(Qt::DisplayRole).toDouble() : 0.0;
        const bool inside = !filtering || (e >= histogram_->selectedLow() && e <= histogram_->selectedHigh());
        table_->setRowHidden(row, !inside);
        shown += inside;
    }
    filterNote_->setText(filtering ? tr("Energies %1 to %2: %3 of %4 images (click the histogram to show all)")
                                         .arg(histogram_->selectedLow(), 0, 'g', 6)
                                         .arg(histogram_->selectedHigh(), 0, 'g', 6)
                                         .arg(shown)
                                         .arg(table_->rowCount())
                                   : tr("Drag across the histogram to list only those energies"));
}

int EnergyView::visibleRows() const
{
    int shown = 0;
    for (int row = 0; row < table_->rowCount(); ++row)
        shown += !table_->isRowHidden(row);
    return shown;
}

void EnergyView::showViews(const QImage& image)
{
    // The image large, and below it the noisy image the energy is measured on and its one-step
    // denoised version (eq. 9), each half as large.
    const int half = kPreviewSide / 2;
    QPixmap picture(kPreviewSide, kPreviewSide + half);
    picture.fill(palette().color(QPalette::Window));
    QPainter p(&picture);
    p.drawImage(QRect(0, 0, kPreviewSide, kPreviewSide), image);
    if (!noisyView_.isNull())
        p.drawImage(QRect(0, kPreviewSide, half, half), noisyView_);
    if (!denoisedView_.isNull())
        p.drawImage(QRect(half, kPreviewSide, half, half), denoisedView_);
    p.end();
    preview_->setPixmap(picture);
}

void EnergyView::refreshCharts()
{
    QVector<EnergyHistogramChart::Series> series;
    for (const ImageSet& set : sets_)
        if (set.state == SetState::Scored)
            series << EnergyHistogramChart::Series{set.source.name, set.result.energy};
    histogram_->setSeries(series);
}

void EnergyView::refreshComparisonChoices()
{
    const QString inlier = inlier_->currentText(), outlier = outlier_->currentText();
    QStringList scored;
    for (const ImageSet& set : sets_)
        if (set.state == SetState::Scored)
            scored << set.source.name;
    {
        const QSignalBlocker blockInlier(inlier_), blockOutlier(outlier_);
        inlier_->clear();
        outlier_->clear();
        inlier_->addItems(scored);
        outlier_->addItems(scored);
        // Keep the person's choice; otherwise the first set against the newest.
        inlier_->setCurrentIndex(scored.contains(inlier) ? scored.indexOf(inlier) : 0);
        outlier_->setCurrentIndex(scored.contains(outlier) && outlier != inlier_->currentText() ? scored.indexOf(outlier)
                                                                                               : scored.size() - 1);
    }
    requestComparison();
}

void EnergyView::compareSets(const QString& inlier, const QString& outlier)
{
    inlier_->setCurrentText(inlier);
    outlier_->setCurrentText(outlier);
    requestComparison();
}

void EnergyView::requestComparison()
{
    const int a = indexOf(inlier_->currentText()), b = indexOf(outlier_->currentText());
    comparison_ = EnergyComparison{};
    roc_->clear();
    if (a < 0 || b < 0 || a == b || sets_[a].state != SetState::Scored || sets_[b].state != SetState::Scored) {
        auroc_->setText(tr("AUROC: choose two scored sets"));
        summary_->clear();
        return;
    }
    const EnergySetResult& in = sets_[a].result;
    const EnergySetResult& out = sets_[b].result;
    const Summary si = summarize(in.energy), so = summarize(out.energy);
    summary_->setText(tr("%1: energy %2 ± %3 (%4 images)\n%5: energy %6 ± %7 (%8 images)")
                          .arg(sets_[a].source.name).arg(si.mean, 0, 'g', 6).arg(si.std, 0, 'g', 4).arg(si.count)
                          .arg(sets_[b].source.name).arg(so.mean, 0, 'g', 6).arg(so.std, 0, 'g', 4).arg(so.count));
    auroc_->setText(tr("AUROC: computing…"));
    JobHandle* handle = engine_->start(std::make_unique<EnergyComparisonJob>(in.energy, out.energy, in.residual, out.residual));
    if (!handle)
        return;
    comparing_ = handle;
    connect(handle, &JobHandle::finished, this, [this, handle](const QVariant& value) {
        if (handle != comparing_)
            return;  // a newer choice of sets is on its way
        comparison_ = value.value<EnergyComparison>();
        if (!comparison_.ok) {
            auroc_->setText(tr("AUROC: %1").arg(comparison_.error.isEmpty() ? tr("not computed") : comparison_.error));
            return;
        }
        QString text = tr("AUROC %1 (the chance that an outlier has the higher energy)").arg(comparison_.auroc, 0, 'f', 4);
        if (comparison_.residualAuroc >= 0)
            text += tr("; residual AUROC %1").arg(comparison_.residualAuroc, 0, 'f', 4);
        auroc_->setText(text);
        roc_->setCurve(comparison_.falsePositiveRate, comparison_.truePositiveRate);
    });
}

void EnergyView::showImage(int row)
{
    const QTableWidgetItem* item = row >= 0 ? table_->item(row, ImageColumn) : nullptr;
    if (!item)
        return;
    const int id = item->data(kSetIdRole).toInt(), i = item->data(kImageRole).toInt();
    for (const ImageSet& set : sets_) {
        if (set.id != id || i >= set.result.images.size())
            continue;
        shownImage_ = set.result.images[i];
        noisyView_ = denoisedView_ = QImage();
        showViews(shownImage_);
        // Newest request wins: walking the table with the arrow keys computes the row it stops on.
        if (JobHandle* handle = engine_->start(std::make_unique<EnergyImageViewsJob>(
                                                   shownImage_, measureSettings().noiseStd, measureSettings().seed),
                                               JobRunner::StartPolicy::Replace)) {
            viewing_ = handle;
            connect(handle, &JobHandle::finished, this, [this, handle](const QVariant& result) {
                if (handle != viewing_ || !result.isValid())
                    return;  // another row was clicked since
                const EnergyImageViews views = result.value<EnergyImageViews>();
                if (!views.error.isEmpty())
                    return;
                noisyView_ = views.noisy;
                denoisedView_ = views.denoised;
                showViews(shownImage_);
            });
        }
        QString note = tr("%1, image %2\nenergy %3 ± %4").arg(set.source.name).arg(set.result.rows.value(i, i))
                           .arg(set.result.energy[i], 0, 'g', 6).arg(set.result.spread.value(i), 0, 'g', 3);
        if (i < set.result.files.size())
            note += QLatin1Char('\n') + set.result.files[i];
        previewNote_->setText(note);
    }
}

bool EnergyView::exportCsv(const QString& path, QString& error) const
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        error = tr("%1: cannot write the CSV file").arg(path);
        return false;
    }
    QTextStream csv(&file);
    csv << "set,index,energy,spread,residual\n";
    for (const ImageSet& set : sets_) {
        if (set.state != SetState::Scored)
            continue;
        const EnergySetResult& r = set.result;
        for (int i = 0; i < r.energy.size(); ++i) {
            const QString index = i < r.files.size() ? r.files[i] : QString::number(r.rows.value(i, i));
            csv << csvField(set.source.name) << ',' << csvField(index) << ',' << QString::number(r.energy[i], 'g', kCsvDigits)
                << ',' << QString::number(r.spread.value(i), 'g', kCsvDigits) << ','
                << (i < r.residual.size() ? QString::number(r.residual[i], 'g', kCsvDigits) : QString()) << '\n';
        }
    }
    csv.flush();
    if (file.error() != QFileDevice::NoError) {
        error = tr("%1: could not write the CSV file").arg(path);
        return false;
    }
    return true;
}

QJsonObject EnergyView::sessionSettings() const
{
    QJsonArray sets;
    for (const ImageSet& set : sets_)
        sets.append(sourceToJson(set.source));
    const EnergyMeasureSettings s = measureSettings();
    return QJsonObject{{QStringLiteral("noiseStd"), s.noiseStd},
                       {QStringLiteral("draws"), s.draws},
                       {QStringLiteral("seed"), static_cast<qint64>(s.seed)},
                       {QStringLiteral("residual"), s.residual},
                       {QStringLiteral("sets"), sets}};
}

void EnergyView::applySessionSettings(const QJsonObject& settings)
{
    EnergyMeasureSettings s = measureSettings();
    s.noiseStd = settings.value(QStringLiteral("noiseStd")).toDouble(s.noiseStd);
    s.draws = settings.value(QStringLiteral("draws")).toInt(s.draws);
    s.seed = static_cast<quint64>(settings.value(QStringLiteral("seed")).toInteger(static_cast<qint64>(s.seed)));
    s.residual = settings.value(QStringLiteral("residual")).toBool(s.residual);
    setMeasureSettings(s);
    if (!settings.contains(QStringLiteral("sets")))
        return;
    stop();
    sets_.clear();
    // The sources come back unscored: "Score all" measures them with the restored settings.
    for (const QJsonValue& v : settings.value(QStringLiteral("sets")).toArray()) {
        ImageSet set;
        set.id = nextSetId_++;
        set.source = sourceFromJson(v.toObject());
        sets_ << set;
    }
    refreshSets();
    refreshTable();
    refreshCharts();
    refreshComparisonChoices();
    updateControls();
}

void EnergyView::updateSourceFields()
{
    const SourceKind kind = SourceKind(kind_->currentData().toInt());
    path_->setEnabled(kind == SourceKind::Path);
    browse_->setEnabled(kind == SourceKind::Path);
    split_->setEnabled(kind == SourceKind::DataSet);
    classes_->setEnabled(kind == SourceKind::Path || kind == SourceKind::DataSet);
    limit_->setEnabled(kind != SourceKind::Transformed);
    base_->setEnabled(kind == SourceKind::Transformed);
}

void EnergyView::updateControls()
{
    runControls_->setState(canStart(), isRunning(), false);
    exportCsv_->setEnabled(table_->rowCount() > 0);
    remove_->setEnabled(!sets_.isEmpty());
}

}  // namespace ebm::studio
