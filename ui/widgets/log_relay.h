#pragma once
// spdlog -> GUI: a sink on spdlog's default logger hands every line to this object, which
// re-emits it as a signal. Lines logged on the worker thread reach the log panel queued.
#include <QObject>
#include <QString>

namespace ebm::studio {

enum class LogLevel { Trace, Debug, Info, Warning, Error, Critical };

class LogRelay : public QObject {
    Q_OBJECT
public:
    /// The process-wide relay; installs the spdlog sink the first time. Call from the GUI thread.
    static LogRelay* instance();

    /// Called by the sink from any thread.
    void post(LogLevel level, const QString& text);

Q_SIGNALS:
    void message(int level, const QString& time, const QString& text);

private:
    LogRelay() = default;
};

}  // namespace ebm::studio
