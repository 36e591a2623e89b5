#pragma once
#include <QFrame>

class QLabel;
class QTimer;
class QToolButton;

namespace ebm::studio {

/// A strip above the pages for problems and notices: never modal, so a message can neither
/// block the event loop nor a test; errors stay until dismissed, notices fade after a while.
/// Its row is always there at one fixed height, empty without a message, so that a message
/// coming or going never moves the page under the mouse. A message longer than the row is
/// elided; the whole text is its tooltip.
class NotificationBar : public QFrame {
    Q_OBJECT
public:
    enum class Kind { Info, Error };
    explicit NotificationBar(QWidget* parent = nullptr);

    /// The message shown, whole; empty when there is none.
    QString text() const { return showing_ ? text_ : QString(); }
    bool hasMessage() const { return showing_; }
    Kind kind() const { return kind_; }

public Q_SLOTS:
    void showMessage(const QString& text, ebm::studio::NotificationBar::Kind kind);
    void showError(const QString& text) { showMessage(text, Kind::Error); }
    void showInfo(const QString& text) { showMessage(text, Kind::Info); }
    void dismiss();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    /// The message elided to the label's width (the row holds one line).
    void showElided();

    QLabel* message_;
    QToolButton* close_;
    QTimer* autoHide_;
    QString text_;
    bool showing_ = false;
    Kind kind_ = Kind::Info;
};

}  // namespace ebm::studio
