#include "widgets/log_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "widgets/log_relay.h"

namespace ebm::studio {
namespace {

constexpr int kMaxLines = 5000;  // a long training run must not grow the panel without bound

QString levelColor(LogLevel level)
{
    switch (level) {
    case LogLevel::Warning: return QStringLiteral("#b36b00");
    case LogLevel::Error:
    case LogLevel::Critical: return QStringLiteral("#c62828");
    case LogLevel::Trace:
    case LogLevel::Debug: return QStringLiteral("#777777");
    default: return QString();
    }
}

}  // namespace

LogPanel::LogPanel(QWidget* parent) : QWidget(parent)
{
    view_ = new QPlainTextEdit(this);
    view_->setReadOnly(true);
    view_->setMaximumBlockCount(kMaxLines);
    view_->setLineWrapMode(QPlainTextEdit::NoWrap);
    view_->setFont(QFont(QStringLiteral("monospace")));
    view_->setObjectName(QStringLiteral("logView"));

    minimumLevel_ = new QComboBox(this);
    minimumLevel_->addItem(tr("Debug and above"), static_cast<int>(LogLevel::Debug));
    minimumLevel_->addItem(tr("Info and above"), static_cast<int>(LogLevel::Info));
    minimumLevel_->addItem(tr("Warnings and errors"), static_cast<int>(LogLevel::Warning));
    minimumLevel_->setCurrentIndex(1);
    auto* clearButton = new QPushButton(tr("Clear"), this);
    connect(clearButton, &QPushButton::clicked, this, &LogPanel::clear);

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Show:"), this));
    bar->addWidget(minimumLevel_);
    bar->addStretch(1);
    bar->addWidget(clearButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(view_, 1);
}

int LogPanel::lineCount() const
{
    return view_->document()->isEmpty() ? 0 : view_->document()->blockCount();
}

QString LogPanel::text() const { return view_->toPlainText(); }

void LogPanel::append(int level, const QString& time, const QString& text)
{
    if (level < minimumLevel_->currentData().toInt())
        return;
    const QString color = levelColor(static_cast<LogLevel>(level));
    QString line = time.toHtmlEscaped() + QStringLiteral("  ") + text.toHtmlEscaped();
    if (!color.isEmpty())
        line = QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color, line);
    view_->appendHtml(line);
}

void LogPanel::clear() { view_->clear(); }

}  // namespace ebm::studio
