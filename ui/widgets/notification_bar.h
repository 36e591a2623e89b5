#pragma once
#include <QFrame>

class QLabel;
class QTimer;
class QToolButton;

namespace ebm::studio {

/// A strip above the pages for problems and notices: never modal, so a message can neither
/// block the event loop nor a test; errors stay until dismissed, notices fade after a while.
class NotificationBar : public QFrame {
    Q_OBJECT
public:
    enum class Kind { Info, Error };
    explicit NotificationBar(QWidget* parent = nullptr);

    QString text() const;
    Kind kind() const { return kind_; }

public Q_SLOTS:
    void showMessage(const QString& text, ebm::studio::NotificationBar::Kind kind);
    void showError(const QString& text) { showMessage(text, Kind::Error); }
    void showInfo(const QString& text) { showMessage(text, Kind::Info); }
    void dismiss();

private:
    QLabel* message_;
    QToolButton* close_;
    QTimer* autoHide_;
    Kind kind_ = Kind::Info;
};

}  // namespace ebm::studio
