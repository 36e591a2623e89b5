#pragma once
#include <QWidget>

class QComboBox;
class QPlainTextEdit;

namespace ebm::studio {

/// The log dock: lines from spdlog (engine and studio), coloured by level, filterable.
class LogPanel : public QWidget {
    Q_OBJECT
public:
    explicit LogPanel(QWidget* parent = nullptr);
    /// Number of lines shown (tests and the status bar read it).
    int lineCount() const;
    QString text() const;

public Q_SLOTS:
    void append(int level, const QString& time, const QString& text);
    void clear();

private:
    QPlainTextEdit* view_;
    QComboBox* minimumLevel_;
};

}  // namespace ebm::studio
