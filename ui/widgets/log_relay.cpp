#include "widgets/log_relay.h"

#include <QTime>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace ebm::studio {
namespace {

LogLevel toLogLevel(spdlog::level::level_enum level)
{
    switch (level) {
    case spdlog::level::trace: return LogLevel::Trace;
    case spdlog::level::debug: return LogLevel::Debug;
    case spdlog::level::info: return LogLevel::Info;
    case spdlog::level::warn: return LogLevel::Warning;
    case spdlog::level::err: return LogLevel::Error;
    case spdlog::level::critical: return LogLevel::Critical;
    default: return LogLevel::Info;
    }
}

/// Forwards formatted messages to the relay; spdlog's base_sink serialises calls.
class RelaySink : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit RelaySink(LogRelay* relay) : relay_(relay) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override
    {
        const QString text = QString::fromUtf8(msg.payload.data(), static_cast<qsizetype>(msg.payload.size()));
        relay_->post(toLogLevel(msg.level), text);
    }
    void flush_() override {}

private:
    LogRelay* relay_;
};

}  // namespace

LogRelay* LogRelay::instance()
{
    // Never destroyed: the sink may be called by late log lines while the process exits.
    static LogRelay* relay = [] {
        auto* r = new LogRelay;
        spdlog::default_logger()->sinks().push_back(std::make_shared<RelaySink>(r));
        return r;
    }();
    return relay;
}

void LogRelay::post(LogLevel level, const QString& text)
{
    // Emitted from the logging thread; connections to GUI objects are queued automatically.
    Q_EMIT message(static_cast<int>(level), QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), text);
}

}  // namespace ebm::studio
