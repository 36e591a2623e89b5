#include "window/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDate>
#include <QDateTime>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QRegularExpression>
#include <QScreen>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStandardItemModel>
#include <QStringList>
#include <QStatusBar>
#include <QTableWidget>
#include <QScrollArea>
#include <QTabWidget>
#include <QThread>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>

#include <functional>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "ebm/base/error.h"
#include "ebm/base/png_settings.h"

#include "worker/studio_engine.h"
#include "widgets/file_dialogs.h"
#include "widgets/log_panel.h"
#include "widgets/log_relay.h"
#include "widgets/notification_bar.h"
#include "widgets/studio_page.h"
#include "widgets/undo_fields.h"
#include "annealing/annealing_hub.h"
#include "annealing/energy_chart.h"
#include "annealing/sampling_panel.h"
#include "pages/energy/energy_view.h"
#include "pages/evaluate/evaluate_view.h"
#include "pages/inpaint/inpaint_view.h"
#include "pages/landscape/landscape_view.h"
#include "pages/compare/compare_view.h"
#include "pages/learn/learn_view.h"
#include "pages/sample/sample_view.h"
#include "pages/schedule/schedule_document.h"
#include "pages/schedule/schedule_view.h"
#include "pages/train/loss_chart.h"
#include "pages/train/train_view.h"
#include "window/session_file.h"
#include "window/studio_settings.h"

namespace ebm::studio {
namespace {

const QString kModelFilter = QObject::tr("Energy models (*.ebm *.pt *.pth);;Native checkpoints (*.ebm);;"
                                         "PyTorch state_dict (*.pt *.pth);;All files (*)");
const QString kSessionFilter = QObject::tr("EBM Studio sessions (*.ebmsession *.json);;All files (*)");
const QString kSessionPurpose = QStringLiteral("session");  // the session dialogs' remembered folder
const QString kPictureSettingsPurpose = QStringLiteral("picture-settings");
/// The README: installed beside the program when packaged, else the one of the source tree.
QString readmeUrl()
{
    const QString installed =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/doc/ebm-studio/README.md"));
    return QUrl::fromLocalFile(QFileInfo::exists(installed) ? QFileInfo(installed).canonicalFilePath()
                                                            : QStringLiteral(EBM_STUDIO_README))
        .toString();
}


/// The one local PNG file a drag carries, or empty: what the window takes settings from.
QString draggedPng(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1 || !mime->urls().front().isLocalFile())
        return {};
    const QString path = mime->urls().front().toLocalFile();
    return path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive) ? path : QString();
}

/// An action whose text changes (undo and redo name the edit) lists this text instead in the
/// shortcut list.
const char* const kShortcutHelpText = "shortcutHelpText";

/// The model label's tooltip: the file, the weights in use, and how it was trained over its runs.
QString modelToolTip(const ModelInfo& info)
{
    QStringList lines;
    if (!info.path.isEmpty())
        lines << info.path;
    if (!info.weights.isEmpty())
        lines << info.weights;
    if (info.totalSteps > info.trainedSteps)
        lines << QObject::tr("Trained %1 steps in all, %2 of them in its last run")
                     .arg(info.totalSteps)
                     .arg(info.trainedSteps);
    if (!info.trainingHistory.isEmpty())
        lines << QObject::tr("History: %1").arg(info.trainingHistory);
    return lines.join(QLatin1Char('\n'));
}

}  // namespace

MainWindow::MainWindow(StudioSettings* settings, QWidget* parent) : QMainWindow(parent), settings_(settings)
{
    setWindowTitle(tr("EBM Studio"));
    setObjectName(QStringLiteral("ebmStudioWindow"));
    setAcceptDrops(true);  // a PNG dropped here brings the settings it keeps (openSettingsFromImage)
    engine_ = new StudioEngine(this);
    undoStack_ = new QUndoStack(this);
    undo_ = new UndoFieldBinder(undoStack_, this);

    // What the pages share (the edited curve, the runs that follow it, the images one page picks
    // for another): the pages talk through it, never to each other.
    annealing_ = new AnnealingHub(this);
    sampleView_ = new SampleView(engine_, annealing_, undo_, this);
    trainView_ = new TrainView(engine_, undo_, this);
    evaluateView_ = new EvaluateView(engine_, undo_, this);
    scheduleView_ = new ScheduleView(engine_, annealing_, undoStack_, this);
    inpaintView_ = new InpaintView(engine_, annealing_, undo_, this);
    energyView_ = new EnergyView(engine_, annealing_, undo_, this);
    auto* learnView = new LearnView(engine_, annealing_, undoStack_, this);
    auto* landscapeView = new LandscapeView(engine_, annealing_, undo_, this);
    auto* compareView = new CompareView(engine_, this);

    pages_ = new QTabWidget(this);
    pages_->setDocumentMode(true);
    notifications_ = new NotificationBar(this);
    for (StudioPage* page : std::initializer_list<StudioPage*>{sampleView_, trainView_, evaluateView_, scheduleView_,
                                                               inpaintView_, energyView_, learnView,
                                                               landscapeView, compareView})
        addPage(page);
    // What each page remembered from the last run (before the window listens: restoring
    // starts nothing and announces nothing).
    for (StudioPage* page : studioPages_)
        page->restoreSettings(settings_->store());
    connect(pages_, &QTabWidget::currentChanged, this, &MainWindow::updateRunActions);
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(notifications_);
    layout->addWidget(pages_, 1);
    setCentralWidget(central);

    logPanel_ = new LogPanel(this);
    auto* logDock = new QDockWidget(tr("Log"), this);
    logDock->setObjectName(QStringLiteral("logDock"));
    logDock->setWidget(logPanel_);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    logDock->hide();  // out of the way until asked for (View > Log, Ctrl+L)
    connect(LogRelay::instance(), &LogRelay::message, logPanel_, &LogPanel::append);

    buildMenus();
    buildStatusBar();
    if (QMenu* view = menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu"))) {
        QAction* toggleLog = logDock->toggleViewAction();
        toggleLog->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
        view->addAction(toggleLog);
    }

    // Engine -> window.
    connect(engine_, &StudioEngine::problem, notifications_, &NotificationBar::showError);
    connect(engine_, &StudioEngine::notice, this, [this](const QString& text) { statusBar()->showMessage(text, 6000); });
    connect(engine_, &StudioEngine::modelLoaded, this, [this](const ModelInfo& info) {
        if (!info.path.isEmpty() && !info.fallback) {
            settings_->addRecentModel(info.path);
            rebuildRecentMenu();
        }
        modelStatus_->setText(info.description);
        modelStatus_->setToolTip(modelToolTip(info));
        updateTitle();
        updateActions();
        if (!readyLogged_ && launchedAt_ > 0) {
            readyLogged_ = true;
            spdlog::info("ready to sample {} ms after launch", QDateTime::currentMSecsSinceEpoch() - launchedAt_);
        }
    });
    connect(engine_, &StudioEngine::modelLoadFailed, this, [this](const QString& path, const QString& message) {
        settings_->removeRecentModel(path);
        rebuildRecentMenu();
        if (engine_->hasModel()) {
            notifications_->showError(
                tr("Could not open the model: %1 The model in use (%2) stays loaded, with its samples.")
                    .arg(message, engine_->model().description));
            return;
        }
        if (path.isEmpty() || fellBackToBundled_) {
            notifications_->showError(tr("Could not open the model: %1").arg(message));
            return;
        }
        // Nothing loaded yet (a damaged file on the command line): never leave the studio stuck
        // without a model; open the bundled one and say so.
        fellBackToBundled_ = true;
        notifications_->showError(tr("Could not open %1: %2 The bundled model is loaded instead.")
                                      .arg(QFileInfo(path).fileName(), message));
        modelStatus_->setText(tr("opening the bundled model instead…"));
        engine_->loadBundledModel();
    });
    connect(engine_, &StudioEngine::modelSaved, this, [this](const QString& path) {
        notifications_->showInfo(tr("Model saved to %1").arg(path));
        settings_->addRecentModel(path);
        rebuildRecentMenu();
    });
    connect(engine_, &StudioEngine::runtimeChanged, this, &MainWindow::updateRuntimeWidgets);
    connect(engine_, &StudioEngine::activityChanged, this, &MainWindow::updateActions);

    // A sensible first size: most of a small screen, restored later from settings.
    const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
    resize(qMin(1440, available.width() * 9 / 10), qMin(920, available.height() * 9 / 10));
    if (!settings_->windowGeometry().isEmpty())
        restoreGeometry(settings_->windowGeometry());
    if (!settings_->windowState().isEmpty())
        restoreState(settings_->windowState());
    fitIntoScreen();
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::fitIntoScreen()
{
    // A geometry saved on a larger screen, or at another QT_SCALE_FACTOR, can be larger than the
    // screen now: shrink it to the available area and move it inside, so every edge is reachable.
    if (windowState() & (Qt::WindowMaximized | Qt::WindowFullScreen))
        return;
    const QScreen* target = QGuiApplication::screenAt(geometry().center());
    if (!target)
        target = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!target)
        return;
    const QRect available = target->availableGeometry();
    QRect fitted = geometry();
    fitted.setSize(fitted.size().boundedTo(available.size()).expandedTo(minimumSize()));
    const int lastLeft = qMax(available.left(), available.right() + 1 - fitted.width());
    const int lastTop = qMax(available.top(), available.bottom() + 1 - fitted.height());
    fitted.moveTo(qBound(available.left(), fitted.left(), lastLeft), qBound(available.top(), fitted.top(), lastTop));
    if (fitted != geometry())
        setGeometry(fitted);
}

void MainWindow::addPage(StudioPage* page)
{
    studioPages_.append(page);
    // Each page scrolls inside its tab when the window is smaller than the page's minimum (a small
    // screen, QT_SCALE_FACTOR=2): the window itself then fits any screen.
    auto* scroll = new QScrollArea(pages_);
    scroll->setObjectName(page->sessionKey() + QStringLiteral("PageScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setWidget(page);
    pages_->addTab(scroll, page->pageTitle());
    routeUndoKeysToEditMenu(page);  // every page's fields share the window's one undo stack
    connect(page, &StudioPage::problem, notifications_, &NotificationBar::showError);
    connect(page, &StudioPage::statusMessage, this, [this](const QString& t) { statusBar()->showMessage(t, 8000); });
    connect(page, &StudioPage::notice, notifications_, &NotificationBar::showInfo);
    connect(page, &StudioPage::runStateChanged, this, &MainWindow::updateRunActions);
    connect(page, &StudioPage::settingsChanged, this, [this, page] { page->saveSettings(settings_->store()); });
    connect(page, &StudioPage::startPageRequested, this, [this](const QString& key) {
        for (StudioPage* target : studioPages_)
            if (target->sessionKey() == key) {
                showPage(target);
                target->start();
            }
    });
}

StudioPage* MainWindow::currentPage() const
{
    const auto* scroll = qobject_cast<QScrollArea*>(pages_->currentWidget());
    return scroll ? qobject_cast<StudioPage*>(scroll->widget()) : nullptr;
}

void MainWindow::showPage(StudioPage* page)
{
    for (int i = 0; i < pages_->count(); ++i)
        if (const auto* scroll = qobject_cast<QScrollArea*>(pages_->widget(i)); scroll && scroll->widget() == page)
            pages_->setCurrentIndex(i);
}

void MainWindow::updateRunActions()
{
    StudioPage* page = currentPage();
    if (!page || !startAction_)
        return;
    startAction_->setEnabled(page->canStart() && !page->isRunning());
    pauseAction_->setEnabled(page->isRunning());
    stepAction_->setEnabled(page->isRunning());
    stopAction_->setEnabled(page->isRunning());
}

void MainWindow::startUp(const QString& modelPath)
{
    applyRuntimeChoice();
    if (modelPath.isEmpty())
        engine_->loadBundledModel();
    else
        openModel(modelPath);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Model…"), this, [this] {
        const QString path = askOpenPath(this, &settings_->store(), QStringLiteral("model"), tr("Open model"), kModelFilter);
        if (!path.isEmpty())
            openModel(path);
    });
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("Open &Bundled Model"), this, [this] { engine_->loadBundledModel(); });
    saveModelAction_ = file->addAction(tr("&Save Model As…"), this, [this] {
        const QString path = askSavePath(this, &settings_->store(), QStringLiteral("model"), tr("Save model"), tr("Native checkpoints (*.ebm)"),
                                         QStringLiteral(".ebm"));
        if (!path.isEmpty())
            saveModelAs(path);
    });
    saveModelAction_->setShortcut(QKeySequence::Save);
    exportPytorchAction_ = file->addAction(tr("Export Model for &PyTorch…"), this, [this] {
        const QString path = askSavePath(this, &settings_->store(), QStringLiteral("model"), tr("Export model for PyTorch"),
                                         tr("PyTorch state_dict (*.pt)"), QStringLiteral(".pt"));
        if (!path.isEmpty())
            engine_->exportPytorch(path);
    });
    file->addSeparator();
    QAction* openSessionAction = file->addAction(tr("Open Session…"), this, [this] {
        const QString path =
            askOpenPath(this, &settings_->store(), kSessionPurpose, tr("Open session"), kSessionFilter);
        if (!path.isEmpty())
            openSession(path);
    });
    openSessionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QAction* saveSessionAction = file->addAction(tr("Save Session…"), this, [this] {
        const QString path = askSavePath(this, &settings_->store(), kSessionPurpose, tr("Save session"), kSessionFilter,
                                         QStringLiteral(".ebmsession"), suggestedSessionPath());
        if (!path.isEmpty())
            saveSession(path);
    });
    saveSessionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    QAction* settingsFromImage = file->addAction(tr("Open Settings from &Image…"), this, [this] {
        const QString path = askOpenPath(this, &settings_->store(), kPictureSettingsPurpose,
                                         tr("Open settings from image"), tr("PNG images (*.png);;All files (*)"));
        if (!path.isEmpty())
            openSettingsFromImage(path);
    });
    settingsFromImage->setStatusTip(tr("Set a page as it was for a picture the studio or the ebm tool exported "
                                       "(also: drop the PNG on the window)"));
    file->addSeparator();
    // Each page's exports (the Sample page's grid, samples and trajectory).
    for (StudioPage* page : studioPages_) {
        const QList<QAction*> actions = page->menuActions(StudioPage::Menu::File);
        if (!actions.isEmpty()) {
            file->addSeparator();
            file->addActions(actions);
        }
    }
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = undoStack_->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setProperty(kShortcutHelpText, tr("Undo the last edit (any page's)"));
    QAction* redo = undoStack_->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setProperty(kShortcutHelpText, tr("Redo the edit undone last"));
    edit->addAction(undo);
    edit->addAction(redo);

    // The run shortcuts go to the page in front, whichever it is.
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    startAction_ = run->addAction(tr("&Start (the page in front)"), this, &MainWindow::startCurrent);
    startAction_->setShortcut(QKeySequence(Qt::Key_F5));
    pauseAction_ = run->addAction(tr("&Pause / Resume"), this, &MainWindow::pauseCurrent);
    pauseAction_->setShortcut(QKeySequence(Qt::Key_F6));
    stepAction_ = run->addAction(tr("S&tep Once"), this, &MainWindow::stepCurrent);
    stepAction_->setShortcut(QKeySequence(Qt::Key_F10));
    stopAction_ = run->addAction(tr("St&op"), this, &MainWindow::stopCurrent);
    stopAction_->setShortcuts({QKeySequence(Qt::SHIFT | Qt::Key_F5), QKeySequence(Qt::Key_Escape)});

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    for (int i = 0; i < studioPages_.size(); ++i) {
        StudioPage* page = studioPages_[i];
        QAction* show = view->addAction(tr("%1 Page").arg(QString(page->pageTitle()).remove(QLatin1Char('&'))), this,
                                        [this, page] { showPage(page); });
        if (i < 9)
            show->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }
    for (StudioPage* page : studioPages_) {
        const QList<QAction*> actions = page->menuActions(StudioPage::Menu::View);
        if (!actions.isEmpty()) {
            view->addSeparator();
            view->addActions(actions);
        }
    }
    view->addSeparator();

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setShortcut(QKeySequence(Qt::Key_F1));
    help->addAction(tr("&Read the README"), this, [] { QDesktopServices::openUrl(QUrl(readmeUrl())); });
    help->addAction(tr("&About EBM Studio"), this, [this] {
        QStringList pageNames;
        for (const StudioPage* page : studioPages_)
            pageNames << QString(page->pageTitle()).remove(QLatin1Char('&'));
        QMessageBox::about(this, tr("About EBM Studio"),
                           tr("<h3>EBM Studio %1</h3><p>Energy-based models trained with multiscale denoising score "
                              "matching (Li, Chen &amp; Sommer), sampled with annealed Langevin dynamics.</p>"
                              "<p>Pages: %2 (Ctrl+1 to Ctrl+%3). Every shortcut is listed under Help &gt; Keyboard "
                              "Shortcuts (F1).</p><p><a href=\"%4\">README</a></p>")
                               .arg(QStringLiteral(EBM_STUDIO_VERSION), pageNames.join(QStringLiteral(", ")))
                               .arg(pageNames.size())
                               .arg(readmeUrl()));
    });
    rebuildRecentMenu();
}

QList<QPair<QString, QString>> MainWindow::shortcutList() const
{
    QList<QPair<QString, QString>> list;
    // Every action of every menu, sub-menus included, that has a key: the list cannot drift
    // from what the keys do.
    std::function<void(const QMenu*)> collect = [&](const QMenu* menu) {
        for (const QAction* action : menu->actions()) {
            if (action->menu()) {
                collect(action->menu());
                continue;
            }
            QStringList keys;
            for (const QKeySequence& key : action->shortcuts())
                keys << key.toString(QKeySequence::NativeText);
            // Undo and redo carry the edit's name in their text: list what the key does instead.
            const QVariant fixedText = action->property(kShortcutHelpText);
            const QString text = fixedText.isValid() ? fixedText.toString() : action->text();
            if (!keys.isEmpty())
                list.append({keys.join(QStringLiteral(" or ")),
                             QString(menu->title()).remove(QLatin1Char('&')) + QStringLiteral(" › ") +
                                 QString(text).remove(QLatin1Char('&')).remove(QStringLiteral("…"))});
        }
    };
    for (const QAction* top : menuBar()->actions())
        if (top->menu())
            collect(top->menu());
    // The keys and gestures each page handles itself, under the page's title.
    for (const StudioPage* page : studioPages_) {
        const QString title = QString(page->pageTitle()).remove(QLatin1Char('&'));
        for (const StudioPage::ShortcutHelp& help : page->pageShortcuts())
            list.append({help.keys, title + QStringLiteral(" › ") + help.action});
    }
    return list;
}

QString MainWindow::suggestedSessionPath() const
{
    // The model's name and today's date, in the folder of the last session: a name that says
    // what the session was about, and that a second session of the day does not silently reuse.
    const ModelInfo& model = engine_->model();
    QString stem = QStringLiteral("session");
    if (engine_->hasModel() && model.fromTraining)
        stem = QStringLiteral("training-run");
    else if (engine_->hasModel() && !model.path.isEmpty())
        stem = QFileInfo(model.path).completeBaseName();
    const QString name = QStringLiteral("%1-%2.ebmsession").arg(stem, QDate::currentDate().toString(Qt::ISODate));
    return QDir(lastFolder(&settings_->store(), kSessionPurpose)).filePath(name);
}

void MainWindow::showShortcuts()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Keyboard Shortcuts"));
    const QList<QPair<QString, QString>> shortcuts = shortcutList();
    auto* table = new QTableWidget(static_cast<int>(shortcuts.size()), 2, &dialog);
    table->setObjectName(QStringLiteral("shortcutTable"));
    table->setHorizontalHeaderLabels({tr("Keys"), tr("Action")});
    table->verticalHeader()->setVisible(false);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int row = 0; row < shortcuts.size(); ++row) {
        table->setItem(row, 0, new QTableWidgetItem(shortcuts[row].first));
        table->setItem(row, 1, new QTableWidgetItem(shortcuts[row].second));
    }
    table->resizeColumnsToContents();
    table->resizeRowsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    auto* note = new QLabel(tr("F5, F6, F10 and Shift+F5 / Esc act on the page in front. More in the "
                               "<a href=\"%1\">README</a>.").arg(readmeUrl()),
                            &dialog);
    note->setOpenExternalLinks(true);
    note->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(table, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
    dialog.resize(560, 520);
    dialog.exec();
}

void MainWindow::buildStatusBar()
{
    modelStatus_ = new QLabel(tr("no model"), this);
    runtimeStatus_ = new QLabel(this);
    device_ = new QComboBox(this);
    device_->setObjectName(QStringLiteral("deviceChoice"));
    device_->addItem(tr("Auto device"), QStringLiteral("auto"));
    device_->addItem(tr("CPU"), QStringLiteral("cpu"));
    device_->addItem(tr("CUDA"), QStringLiteral("cuda"));
    device_->setToolTip(tr("Where the model runs; applied between jobs"));
    device_->setCurrentIndex(qMax(0, device_->findData(settings_->devicePreference())));
    threads_ = new QSpinBox(this);
    threads_->setObjectName(QStringLiteral("threadChoice"));
    threads_->setRange(0, qMax(1, QThread::idealThreadCount()));
    threads_->setSpecialValueText(tr("all cores"));
    threads_->setPrefix(tr("threads "));
    threads_->setValue(qMin(settings_->threads(), threads_->maximum()));
    threads_->setToolTip(tr("CPU threads for the model's arithmetic; applied between jobs"));
    connect(device_, &QComboBox::currentIndexChanged, this, &MainWindow::applyRuntimeChoice);
    connect(threads_, &QSpinBox::valueChanged, this, &MainWindow::applyRuntimeChoice);
    // No stretch on the permanent labels: QStatusBar paints showMessage() text in the room left
    // of the first permanent widget, and a stretching label would take all of it.
    modelStatus_->setObjectName(QStringLiteral("modelStatus"));
    runtimeStatus_->setObjectName(QStringLiteral("runtimeStatus"));
    statusBar()->addPermanentWidget(modelStatus_);
    statusBar()->addPermanentWidget(runtimeStatus_);
    statusBar()->addPermanentWidget(device_);
    statusBar()->addPermanentWidget(threads_);
}

void MainWindow::applyRuntimeChoice()
{
    const QString device = device_->currentData().toString();
    settings_->setDevicePreference(device);
    settings_->setThreads(threads_->value());
    engine_->configureRuntime(device, threads_->value());
    if (engine_->isBusy())
        statusBar()->showMessage(tr("The new device and thread count apply after the running job."), 6000);
}

void MainWindow::updateRuntimeWidgets(const RuntimeInfo& info)
{
    runtimeStatus_->setText(info.description);
    runtimeStatus_->setToolTip(tr("%1 hardware cores").arg(info.cores));
    if (auto* model = qobject_cast<QStandardItemModel*>(device_->model()))
        if (QStandardItem* cuda = model->item(2))
            cuda->setEnabled(info.cudaAvailable);
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = settings_->recentModels();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        QAction* action = recentMenu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()),
                                                 this, [this, path] { openModel(path); });
        action->setToolTip(path);
        action->setStatusTip(path);
    }
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::updateTitle()
{
    const ModelInfo& m = engine_->model();
    if (!engine_->hasModel())
        setWindowTitle(tr("EBM Studio"));
    else if (m.path.isEmpty())
        setWindowTitle(tr("%1 — EBM Studio").arg(m.description));
    else
        setWindowTitle(tr("%1 — EBM Studio").arg(QFileInfo(m.path).fileName()));
}

void MainWindow::updateActions()
{
    saveModelAction_->setEnabled(engine_->hasModel());
    exportPytorchAction_->setEnabled(engine_->hasModel() && !engine_->trainingRun());
    updateRunActions();
}

void MainWindow::openModel(const QString& path)
{
    requestedModel_ = path;
    engine_->loadModel(path);
}

void MainWindow::saveModelAs(const QString& path)
{
    engine_->saveModel(path);
}

bool MainWindow::saveSession(const QString& path)
{
    Session session;
    session.modelPath = engine_->model().fromTraining || engine_->model().fallback ? QString() : engine_->model().path;
    session.device = device_->currentData().toString();
    for (const StudioPage* page : studioPages_)
        session.pages.insert(page->sessionKey(), page->sessionSettings());
    QString error;
    if (!session.save(path, error)) {
        notifications_->showError(tr("Could not write the session: %1").arg(error));
        return false;
    }
    if (engine_->model().fromTraining)
        notifications_->showInfo(tr("Session saved. The model trained here is not saved yet: save it (Ctrl+S) and "
                                    "save the session again to include it."));
    else
        notifications_->showInfo(tr("Session saved to %1").arg(path));
    return true;
}

bool MainWindow::openSession(const QString& path)
{
    Session session;
    QString error;
    if (!Session::load(path, session, error)) {
        notifications_->showError(tr("Could not open the session: %1").arg(error));
        return false;
    }
    // Each page's part, where the file has one (older sessions hold only the sampling part).
    for (StudioPage* page : studioPages_)
        if (session.pages.contains(page->sessionKey()))
            page->applySessionSettings(session.pages.value(page->sessionKey()).toObject());
    undoStack_->clear();  // the session's values are the new starting point
    const int deviceIndex = device_->findData(session.device);
    if (deviceIndex >= 0)
        device_->setCurrentIndex(deviceIndex);
    if (session.modelPath.isEmpty())
        engine_->loadBundledModel();
    else if (QFileInfo(session.modelPath).absoluteFilePath() != QFileInfo(engine_->model().path).absoluteFilePath())
        openModel(session.modelPath);
    notifications_->showInfo(tr("Session %1 opened: press F5 to sample").arg(QFileInfo(path).fileName()));
    return true;
}

bool MainWindow::openSettingsFromImage(const QString& path)
{
    const QString name = QFileInfo(path).fileName();
    std::optional<std::string> json;
    try {
        json = ebm::readPngSettings(QFile::encodeName(path).toStdString());
    } catch (const ebm::Error& e) {  // not a PNG, unreadable, a damaged chunk: one line naming the file
        notifications_->showError(QString::fromStdString(e.what()));
        return false;
    }
    if (!json) {
        notifications_->showError(
            tr("%1 holds no EBM Studio settings (written by another program); nothing was changed").arg(name));
        return false;
    }
    // The page that makes such pictures takes them; the window does not know which page that is.
    for (StudioPage* page : studioPages_) {
        QString error;
        if (page->applyPictureSettings(*json, name, undoStack_, &error)) {
            showPage(page);
            notifications_->showInfo(tr("The %1 page now has the settings of %2 (Edit > Undo takes them back)")
                                         .arg(QString(page->pageTitle()).remove(QLatin1Char('&')), name));
            return true;
        }
        if (!error.isEmpty()) {
            notifications_->showError(error);
            return false;
        }
    }
    const QString command =
        QJsonDocument::fromJson(QByteArray::fromStdString(*json)).object().value(QStringLiteral("command")).toString();
    notifications_->showError(tr("%1 was made by \"%2\", whose settings no page of the studio takes; nothing was "
                                 "changed")
                                  .arg(name, command));
    return false;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!draggedPng(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QString path = draggedPng(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openSettingsFromImage(path);
}

void MainWindow::startCurrent()
{
    if (StudioPage* page = currentPage())
        page->start();
}

void MainWindow::pauseCurrent()
{
    if (StudioPage* page = currentPage())
        page->togglePause();
}

void MainWindow::stepCurrent()
{
    if (StudioPage* page = currentPage())
        page->stepOnce();
}

void MainWindow::stopCurrent()
{
    if (StudioPage* page = currentPage())
        page->stop();
}

void MainWindow::saveSettings()
{
    for (const StudioPage* page : studioPages_)
        page->saveSettings(settings_->store());
    settings_->setWindowGeometry(saveGeometry());
    settings_->setWindowState(saveState());
    settings_->sync();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (engine_->trainingRun()) {
        const auto answer = QMessageBox::question(
            this, tr("Training is running"),
            tr("Stop training and quit? The run is saved to its checkpoint file when one is set."));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    saveSettings();
    event->accept();
}

}  // namespace ebm::studio
