#pragma once
// The run buttons every page shows: Start, Pause/Resume, Step, Stop. One setState() call sets
// what is enabled and what Pause says; the tooltips name the shortcuts (F5, F6, F10,
// Shift+F5 / Esc), which the window's Run menu sends to the page in front.
#include <QWidget>

class QPushButton;

namespace ebm::studio {

class RunControls : public QWidget {
    Q_OBJECT
public:
    enum class Layout { Row, Grid };  // Grid: two rows of two, for narrow side panels
    /// `startText` names the action ("Sample", "Train", "Evaluate"); `pausable` false hides
    /// Pause and Step for jobs that can only be stopped.
    RunControls(const QString& startText, const QString& startToolTip, bool pausable, Layout layout,
                QWidget* parent = nullptr);

    QPushButton* startButton() const { return start_; }
    QPushButton* pauseButton() const { return pause_; }
    QPushButton* stepButton() const { return step_; }
    QPushButton* stopButton() const { return stop_; }

    /// Start needs `canStart` and no run; Pause, Step and Stop need a run.
    void setState(bool canStart, bool running, bool paused);

Q_SIGNALS:
    void startRequested();
    void pauseToggled();
    void stepRequested();
    void stopRequested();

private:
    QPushButton* start_;
    QPushButton* pause_;
    QPushButton* step_;
    QPushButton* stop_;
};

}  // namespace ebm::studio
