#pragma once
#include <QMainWindow>

#include "worker/studio_types.h"

class QAction;
class QComboBox;
class QLabel;
class QMenu;
class QSpinBox;
class QTabWidget;
class QUndoStack;

namespace ebm::studio {

class LogPanel;
class NotificationBar;
class AnnealingHub;
class SampleView;
class StudioEngine;
class StudioPage;
class StudioSettings;
class TrainView;
class EvaluateView;
class ScheduleView;
class InpaintView;
class EnergyView;
class UndoFieldBinder;

/// The studio window: the pages (each a StudioPage, run by the same Run menu and shortcuts,
/// which go to the page in front), log dock, menus with shortcuts, recent models, sessions,
/// runtime (device and threads) in the status bar.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// `settings` must outlive the window.
    explicit MainWindow(StudioSettings* settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// After the window shows: configures the worker and loads `modelPath` (empty: the bundled
    /// model). Returns at once; the model arrives through the engine.
    void startUp(const QString& modelPath = QString());
    /// When the program started (ms since the epoch), to log how long until it can sample.
    void setLaunchTime(qint64 msSinceEpoch) { launchedAt_ = msSinceEpoch; }

    StudioEngine* engine() const { return engine_; }
    SampleView* sampleView() const { return sampleView_; }
    TrainView* trainView() const { return trainView_; }
    EvaluateView* evaluateView() const { return evaluateView_; }
    ScheduleView* scheduleView() const { return scheduleView_; }
    InpaintView* inpaintView() const { return inpaintView_; }
    EnergyView* energyView() const { return energyView_; }
    NotificationBar* notifications() const { return notifications_; }
    LogPanel* logPanel() const { return logPanel_; }
    QUndoStack* undoStack() const { return undoStack_; }
    /// The tabs; each holds its page in a scroll area (use showPage and currentPage for pages).
    QTabWidget* pages() const { return pages_; }
    /// Every page, in tab order.
    const QList<StudioPage*>& studioPages() const { return studioPages_; }
    StudioPage* currentPage() const;
    /// Brings `page`'s tab to the front.
    void showPage(StudioPage* page);

    /// Every menu shortcut as (key sequence, what it does), read from the actions themselves,
    /// then the keys each page handles itself (StudioPage::pageShortcuts) under the page's title.
    QList<QPair<QString, QString>> shortcutList() const;
    /// What Save Session offers: the model's base name and today's date, in the folder of the
    /// last session opened or saved.
    QString suggestedSessionPath() const;
    // File operations without dialogs (menus wrap them; tests call them).
    void openModel(const QString& path);
    void saveModelAs(const QString& path);
    bool saveSession(const QString& path);
    bool openSession(const QString& path);
    /// File > Open Settings from Image, and a PNG dropped on the window: the settings the picture
    /// keeps go to the page that makes such pictures, as one undo step, and that page comes to the
    /// front. A picture without settings, with damaged ones, or of no page here changes nothing and
    /// says why in one line of the notification bar; false then.
    bool openSettingsFromImage(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void buildStatusBar();
    /// Shrinks and moves a restored geometry into the available area of its screen.
    void fitIntoScreen();
    void rebuildRecentMenu();
    void updateRuntimeWidgets(const RuntimeInfo& info);
    void updateTitle();
    void updateActions();
    void applyRuntimeChoice();
    void saveSettings();
    void showShortcuts();
    void addPage(StudioPage* page);
    void updateRunActions();

    // Actions on the page in front.
    void startCurrent();
    void pauseCurrent();
    void stepCurrent();
    void stopCurrent();

    StudioSettings* settings_;
    StudioEngine* engine_;
    QUndoStack* undoStack_;
    UndoFieldBinder* undo_;
    AnnealingHub* annealing_;
    SampleView* sampleView_;
    TrainView* trainView_;
    EvaluateView* evaluateView_;
    ScheduleView* scheduleView_;
    InpaintView* inpaintView_;
    EnergyView* energyView_;
    LogPanel* logPanel_;
    NotificationBar* notifications_;
    QTabWidget* pages_;
    QList<StudioPage*> studioPages_;
    QAction* startAction_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* stepAction_ = nullptr;
    QAction* stopAction_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QAction* exportPytorchAction_ = nullptr;
    QAction* saveModelAction_ = nullptr;
    QComboBox* device_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QLabel* modelStatus_ = nullptr;
    QLabel* runtimeStatus_ = nullptr;
    QString requestedModel_;          // path of the load in flight, for recent files
    qint64 launchedAt_ = 0;
    bool readyLogged_ = false;
    bool fellBackToBundled_ = false;  // a model that failed at start-up: the bundled one instead
};

}  // namespace ebm::studio
