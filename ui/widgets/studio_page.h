#pragma once
// What the window asks of every page: run it (start / pause / step / stop, the shortcuts go to
// the page in front), show its run state, keep its settings in a session file, and report
// problems and status. A new view implements this and the window lists it; nothing in the
// window branches on which page it is.
#include <QJsonObject>
#include <QString>
#include <QWidget>

namespace ebm::studio {

class StudioPage : public QWidget {
    Q_OBJECT
public:
    using QWidget::QWidget;

    /// Tab text with its mnemonic, e.g. "&Sample".
    virtual QString pageTitle() const = 0;
    /// Name of its part of a session file, e.g. "sampling".
    virtual QString sessionKey() const = 0;

    virtual void start() = 0;
    /// Pages whose jobs cannot pause ignore these.
    virtual void togglePause() {}
    virtual void stepOnce() {}
    virtual void stop() = 0;

    virtual bool canStart() const = 0;
    virtual bool isRunning() const = 0;
    virtual bool isPaused() const { return false; }

    virtual QJsonObject sessionSettings() const = 0;
    virtual void applySessionSettings(const QJsonObject& settings) = 0;

Q_SIGNALS:
    /// Something went wrong that the person must see (the window shows a notification).
    void problem(const QString& message);
    /// A line for the status bar.
    void statusMessage(const QString& text);
    /// canStart / isRunning / isPaused may have changed.
    void runStateChanged();
};

}  // namespace ebm::studio
