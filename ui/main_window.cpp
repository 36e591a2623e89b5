#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QUndoStack>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

#include "sample/energy_chart.h"
#include "evaluate_view.h"
#include "log_panel.h"
#include "log_relay.h"
#include "train/loss_chart.h"
#include "notification_bar.h"
#include "sample_view.h"
#include "sampling_panel.h"
#include "session_file.h"
#include "studio_engine.h"
#include "studio_settings.h"
#include "train_view.h"
#include "undo_fields.h"

namespace ebm::studio {
namespace {

const QString kModelFilter = QObject::tr("Energy models (*.ebm *.pt *.pth);;Native checkpoints (*.ebm);;"
                                         "PyTorch state_dict (*.pt *.pth);;All files (*)");
const QString kSessionFilter = QObject::tr("EBM Studio sessions (*.ebmsession *.json);;All files (*)");
const QString kPngFilter = QObject::tr("PNG images (*.png)");

}  // namespace

MainWindow::MainWindow(StudioSettings* settings, QWidget* parent) : QMainWindow(parent), settings_(settings)
{
    setWindowTitle(tr("EBM Studio"));
    setObjectName(QStringLiteral("ebmStudioWindow"));
    engine_ = new StudioEngine(this);
    undoStack_ = new QUndoStack(this);
    undo_ = new UndoFieldBinder(undoStack_, this);

    sampleView_ = new SampleView(engine_, undo_, this);
    trainView_ = new TrainView(engine_, undo_, this);
    evaluateView_ = new EvaluateView(engine_, undo_, this);
    sampleView_->panel()->setSettings(settings_->sampling());
    trainView_->setSettings(settings_->training());
    evaluateView_->setSettings(settings_->evaluation());
    sampleView_->chart()->setLogScale(settings_->energyLogScale());
    trainView_->chart()->setLogScale(settings_->lossLogScale());
    sampleView_->setDenoisedView(settings_->denoisedPreview());

    pages_ = new QTabWidget(this);
    pages_->setDocumentMode(true);
    pages_->addTab(sampleView_, tr("&Sample"));
    pages_->addTab(trainView_, tr("&Train"));
    pages_->addTab(evaluateView_, tr("&Evaluate"));
    notifications_ = new NotificationBar(this);
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
        modelStatus_->setToolTip(info.path);
        updateTitle();
        updateActions();
        if (!readyLogged_ && launchedAt_ > 0) {
            readyLogged_ = true;
            spdlog::info("ready to sample {} ms after launch", QDateTime::currentMSecsSinceEpoch() - launchedAt_);
        }
    });
    connect(engine_, &StudioEngine::modelLoadFailed, this, [this](const QString& path, const QString& message) {
        notifications_->showError(engine_->hasModel()
                                      ? tr("Could not open the model: %1 The model in use stays loaded.").arg(message)
                                      : tr("Could not open the model: %1").arg(message));
        settings_->removeRecentModel(path);
        rebuildRecentMenu();
    });
    connect(engine_, &StudioEngine::modelSaved, this, [this](const QString& path) {
        notifications_->showInfo(tr("Model saved to %1").arg(path));
        settings_->addRecentModel(path);
        rebuildRecentMenu();
    });
    connect(engine_, &StudioEngine::runtimeChanged, this, &MainWindow::updateRuntimeWidgets);
    connect(engine_, &StudioEngine::activityChanged, this, &MainWindow::updateActions);
    connect(sampleView_, &SampleView::statusMessage, this, [this](const QString& t) { statusBar()->showMessage(t, 8000); });
    connect(sampleView_, &SampleView::exportAvailabilityChanged, this, &MainWindow::updateActions);
    connect(sampleView_, &SampleView::denoisedViewChanged, this, [this](bool on) {
        denoisedAction_->setChecked(on);
        settings_->setDenoisedPreview(on);
    });
    connect(sampleView_->chart(), &EnergyChart::logScaleToggled, this, [this](bool on) {
        logScaleAction_->setChecked(on);
        settings_->setEnergyLogScale(on);
    });
    connect(trainView_->chart(), &LossChart::logScaleToggled, this,
            [this](bool on) { settings_->setLossLogScale(on); });
    connect(trainView_, &TrainView::problem, notifications_, &NotificationBar::showError);
    connect(trainView_, &TrainView::statusMessage, this, [this](const QString& t) { statusBar()->showMessage(t, 8000); });
    connect(evaluateView_, &EvaluateView::problem, notifications_, &NotificationBar::showError);
    connect(evaluateView_, &EvaluateView::statusMessage, this,
            [this](const QString& t) { statusBar()->showMessage(t, 8000); });
    connect(trainView_, &TrainView::sampleFromWeightsRequested, this, [this] {
        pages_->setCurrentWidget(sampleView_);
        sampleView_->startSampling();
    });

    // A sensible first size: most of a small screen, restored later from settings.
    const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
    resize(qMin(1440, available.width() * 9 / 10), qMin(920, available.height() * 9 / 10));
    if (!settings_->windowGeometry().isEmpty())
        restoreGeometry(settings_->windowGeometry());
    if (!settings_->windowState().isEmpty())
        restoreState(settings_->windowState());
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow() = default;

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
        const QString path = askOpenPath(QStringLiteral("model"), tr("Open model"), kModelFilter);
        if (!path.isEmpty())
            openModel(path);
    });
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("Open &Bundled Model"), this, [this] { engine_->loadBundledModel(); });
    saveModelAction_ = file->addAction(tr("&Save Model As…"), this, [this] {
        const QString path = askSavePath(QStringLiteral("model"), tr("Save model"), tr("Native checkpoints (*.ebm)"),
                                         QStringLiteral(".ebm"));
        if (!path.isEmpty())
            saveModelAs(path);
    });
    saveModelAction_->setShortcut(QKeySequence::Save);
    file->addSeparator();
    QAction* openSessionAction = file->addAction(tr("Open Session…"), this, [this] {
        const QString path = askOpenPath(QStringLiteral("session"), tr("Open session"), kSessionFilter);
        if (!path.isEmpty())
            openSession(path);
    });
    openSessionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QAction* saveSessionAction = file->addAction(tr("Save Session…"), this, [this] {
        const QString path = askSavePath(QStringLiteral("session"), tr("Save session"), kSessionFilter,
                                         QStringLiteral(".ebmsession"));
        if (!path.isEmpty())
            saveSession(path);
    });
    saveSessionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    file->addSeparator();
    exportGridAction_ = file->addAction(tr("Export Grid as PNG…"), this, [this] {
        const QString path = askSavePath(QStringLiteral("export"), tr("Export grid"), kPngFilter, QStringLiteral(".png"));
        QString error;
        if (!path.isEmpty() && !sampleView_->exportGrid(path, error))
            notifications_->showError(error);
        else if (!path.isEmpty())
            notifications_->showInfo(tr("Grid written to %1").arg(path));
    });
    exportGridAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportNpyAction_ = file->addAction(tr("Export Samples as .npy…"), this, [this] {
        const QString path = askSavePath(QStringLiteral("export"), tr("Export samples"), tr("NumPy arrays (*.npy)"),
                                         QStringLiteral(".npy"));
        if (!path.isEmpty())
            engine_->exportSamplesNpy(path);
    });
    exportSheetAction_ = file->addAction(tr("Export Trajectory Contact Sheet…"), this, [this] {
        const QString path = askSavePath(QStringLiteral("export"), tr("Export trajectory"), kPngFilter, QStringLiteral(".png"));
        QString error;
        if (!path.isEmpty() && !sampleView_->exportTrajectorySheet(path, error))
            notifications_->showError(error);
        else if (!path.isEmpty())
            notifications_->showInfo(tr("Trajectory written to %1").arg(path));
    });
    exportFramesAction_ = file->addAction(tr("Export Trajectory Frames…"), this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder for the frames"),
                                                                 settings_->lastFolder(QStringLiteral("export")));
        if (folder.isEmpty())
            return;
        settings_->setLastFolder(QStringLiteral("export"), folder);
        QString error;
        if (!sampleView_->exportTrajectoryFrames(folder, error))
            notifications_->showError(error);
        else
            notifications_->showInfo(tr("Frames written to %1").arg(folder));
    });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = undoStack_->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = undoStack_->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    QAction* start = run->addAction(tr("&Start (sample, train or evaluate, by page)"), this, &MainWindow::startCurrent);
    start->setShortcut(QKeySequence(Qt::Key_F5));
    QAction* pause = run->addAction(tr("&Pause / Resume"), this, &MainWindow::pauseCurrent);
    pause->setShortcut(QKeySequence(Qt::Key_F6));
    QAction* step = run->addAction(tr("S&tep Once"), this, &MainWindow::stepCurrent);
    step->setShortcut(QKeySequence(Qt::Key_F10));
    QAction* stop = run->addAction(tr("St&op"), this, &MainWindow::stopCurrent);
    stop->setShortcuts({QKeySequence(Qt::SHIFT | Qt::Key_F5), QKeySequence(Qt::Key_Escape)});

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    QAction* samplePage = view->addAction(tr("Sample Page"), this, [this] { pages_->setCurrentWidget(sampleView_); });
    samplePage->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction* trainPage = view->addAction(tr("Train Page"), this, [this] { pages_->setCurrentWidget(trainView_); });
    trainPage->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    QAction* evaluatePage = view->addAction(tr("Evaluate Page"), this, [this] { pages_->setCurrentWidget(evaluateView_); });
    evaluatePage->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    view->addSeparator();
    denoisedAction_ = view->addAction(tr("&Denoised Preview"));
    denoisedAction_->setCheckable(true);
    denoisedAction_->setChecked(sampleView_->showsDenoised());
    denoisedAction_->setShortcut(QKeySequence(Qt::Key_D));
    connect(denoisedAction_, &QAction::toggled, sampleView_, &SampleView::setDenoisedView);
    logScaleAction_ = view->addAction(tr("Energy Chart &Log Scale"));
    logScaleAction_->setCheckable(true);
    logScaleAction_->setChecked(sampleView_->chart()->logScale());
    logScaleAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    connect(logScaleAction_, &QAction::toggled, sampleView_->chart(), &EnergyChart::setLogScale);
    QAction* live = view->addAction(tr("Follow Live Frame"), sampleView_, &SampleView::followLive);
    live->setShortcut(QKeySequence(Qt::Key_End));
    view->addSeparator();

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About EBM Studio"), this, [this] {
        QMessageBox::about(this, tr("About EBM Studio"),
                           tr("<h3>EBM Studio %1</h3><p>Energy-based models trained with multiscale denoising score "
                              "matching (Li, Chen &amp; Sommer), sampled with annealed Langevin dynamics.</p>"
                              "<p>F5 start · F6 pause/resume · F10 step · Shift+F5 stop · D denoised preview · "
                              "Ctrl+1/2 pages · Ctrl+L log</p>")
                               .arg(QStringLiteral(EBM_STUDIO_VERSION)));
    });
    rebuildRecentMenu();
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
    statusBar()->addPermanentWidget(modelStatus_, 1);
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
    if (engine_->isSampling() || engine_->isTraining())
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
    const bool busy = engine_->isSampling() || engine_->isTraining() || engine_->isEvaluating();
    const bool haveFrames = sampleView_->canExport() && !engine_->isSampling();
    saveModelAction_->setEnabled(engine_->hasModel());
    exportGridAction_->setEnabled(sampleView_->canExport());
    exportNpyAction_->setEnabled(haveFrames && !busy);
    exportSheetAction_->setEnabled(sampleView_->canExport());
    exportFramesAction_->setEnabled(haveFrames);
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
    session.sampling = sampleView_->panel()->settings();
    session.device = device_->currentData().toString();
    QString error;
    if (!session.save(path, error)) {
        notifications_->showError(error);
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
    sampleView_->panel()->setSettings(session.sampling);
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

QString MainWindow::askOpenPath(const QString& purpose, const QString& title, const QString& filter)
{
    const QString path = QFileDialog::getOpenFileName(this, title, settings_->lastFolder(purpose), filter);
    if (!path.isEmpty())
        settings_->setLastFolder(purpose, QFileInfo(path).absolutePath());
    return path;
}

QString MainWindow::askSavePath(const QString& purpose, const QString& title, const QString& filter,
                                const QString& suffix)
{
    QString path = QFileDialog::getSaveFileName(this, title, settings_->lastFolder(purpose), filter);
    if (path.isEmpty())
        return path;
    if (QFileInfo(path).suffix().isEmpty())
        path += suffix;
    settings_->setLastFolder(purpose, QFileInfo(path).absolutePath());
    return path;
}

void MainWindow::startCurrent()
{
    if (pages_->currentWidget() == trainView_)
        trainView_->startTraining();
    else if (pages_->currentWidget() == evaluateView_)
        evaluateView_->startEvaluation();
    else
        sampleView_->startSampling();
}

void MainWindow::pauseCurrent()
{
    if (pages_->currentWidget() == trainView_)
        trainView_->togglePause();
    else
        sampleView_->togglePause();
}

void MainWindow::stepCurrent()
{
    if (pages_->currentWidget() == trainView_)
        trainView_->stepOnce();
    else
        sampleView_->stepOnce();
}

void MainWindow::stopCurrent()
{
    if (pages_->currentWidget() == trainView_)
        trainView_->stop();
    else if (pages_->currentWidget() == evaluateView_)
        evaluateView_->stop();
    else
        sampleView_->stop();
}

void MainWindow::saveSettings()
{
    settings_->setSampling(sampleView_->panel()->settings());
    settings_->setTraining(trainView_->settings());
    settings_->setEvaluation(evaluateView_->settings());
    settings_->setWindowGeometry(saveGeometry());
    settings_->setWindowState(saveState());
    settings_->sync();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (engine_->isTraining()) {
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
