#include "widgets/notification_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>

namespace ebm::studio {
namespace {

constexpr int kInfoMilliseconds = 8000;

}  // namespace

NotificationBar::NotificationBar(QWidget* parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("notificationBar"));
    message_ = new QLabel(this);
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    close_ = new QToolButton(this);
    close_->setText(QStringLiteral("✕"));
    close_->setAutoRaise(true);
    close_->setToolTip(tr("Dismiss"));
    connect(close_, &QToolButton::clicked, this, &NotificationBar::dismiss);
    autoHide_ = new QTimer(this);
    autoHide_->setSingleShot(true);
    connect(autoHide_, &QTimer::timeout, this, &NotificationBar::dismiss);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(message_, 1);
    layout->addWidget(close_, 0, Qt::AlignTop);
    hide();
}

QString NotificationBar::text() const { return isVisibleTo(parentWidget()) ? message_->text() : QString(); }

void NotificationBar::showMessage(const QString& text, Kind kind)
{
    // An error on screen is not replaced by a passing notice.
    if (kind == Kind::Info && kind_ == Kind::Error && isVisibleTo(parentWidget()))
        return;
    kind_ = kind;
    message_->setText(text);
    setStyleSheet(kind == Kind::Error
                      ? QStringLiteral("#notificationBar { background: #fdecea; border: 1px solid #e57373; }"
                                       " QLabel { color: #7f1d1d; }")
                      : QStringLiteral("#notificationBar { background: #e8f1fb; border: 1px solid #90b4dd; }"
                                       " QLabel { color: #123; }"));
    show();
    if (kind == Kind::Info)
        autoHide_->start(kInfoMilliseconds);
    else
        autoHide_->stop();
}

void NotificationBar::dismiss()
{
    autoHide_->stop();
    hide();
    kind_ = Kind::Info;
}

}  // namespace ebm::studio
