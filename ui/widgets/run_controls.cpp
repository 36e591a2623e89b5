#include "widgets/run_controls.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QPushButton>

namespace ebm::studio {

RunControls::RunControls(const QString& startText, const QString& startToolTip, bool pausable, Layout layout,
                         QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("runControls"));
    start_ = new QPushButton(startText, this);
    start_->setObjectName(QStringLiteral("startButton"));
    start_->setToolTip(tr("%1 (F5)").arg(startToolTip));
    start_->setDefault(true);
    pause_ = new QPushButton(tr("Pause"), this);
    pause_->setObjectName(QStringLiteral("pauseButton"));
    step_ = new QPushButton(tr("Step"), this);
    step_->setObjectName(QStringLiteral("stepButton"));
    step_->setToolTip(tr("While paused: exactly one more step (F10)"));
    stop_ = new QPushButton(tr("Stop"), this);
    stop_->setObjectName(QStringLiteral("stopButton"));
    stop_->setToolTip(tr("End the run at its next step (Shift+F5 or Esc)"));
    pause_->setVisible(pausable);
    step_->setVisible(pausable);
    connect(start_, &QPushButton::clicked, this, &RunControls::startRequested);
    connect(pause_, &QPushButton::clicked, this, &RunControls::pauseToggled);
    connect(step_, &QPushButton::clicked, this, &RunControls::stepRequested);
    connect(stop_, &QPushButton::clicked, this, &RunControls::stopRequested);

    if (layout == Layout::Grid) {
        auto* grid = new QGridLayout(this);
        grid->setContentsMargins(0, 0, 0, 0);
        grid->addWidget(start_, 0, 0);
        grid->addWidget(pause_, 0, 1);
        grid->addWidget(step_, 1, 0);
        grid->addWidget(stop_, 1, 1);
    } else {
        auto* row = new QHBoxLayout(this);
        row->setContentsMargins(0, 0, 0, 0);
        for (QPushButton* b : {start_, pause_, step_, stop_})
            row->addWidget(b);
        row->addStretch(1);
    }
    setState(false, false, false);
}

void RunControls::setState(bool canStart, bool running, bool paused)
{
    start_->setEnabled(canStart && !running);
    pause_->setEnabled(running);
    pause_->setText(paused ? tr("Resume") : tr("Pause"));
    pause_->setToolTip(paused ? tr("Continue the run (F6)") : tr("Pause between two steps (F6)"));
    step_->setEnabled(running);  // on a running job, Step pauses it first
    stop_->setEnabled(running);
}

}  // namespace ebm::studio
