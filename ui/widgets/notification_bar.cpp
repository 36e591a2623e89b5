#include "widgets/notification_bar.h"

#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>

#include <algorithm>

namespace ebm::studio {
namespace {

constexpr int kInfoMilliseconds = 8000;
constexpr int kVerticalMargin = 2;

}  // namespace

NotificationBar::NotificationBar(QWidget* parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("notificationBar"));
    message_ = new QLabel(this);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The label takes the width it is given: a long message never widens the window.
    message_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    close_ = new QToolButton(this);
    close_->setAutoRaise(true);
    connect(close_, &QToolButton::clicked, this, &NotificationBar::dismiss);
    autoHide_ = new QTimer(this);
    autoHide_->setSingleShot(true);
    connect(autoHide_, &QTimer::timeout, this, &NotificationBar::dismiss);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, kVerticalMargin, 4, kVerticalMargin);
    layout->addWidget(message_, 1);
    layout->addWidget(close_, 0, Qt::AlignVCenter);
    // One row, always reserved: the pages below keep their place whether a message shows or not.
    // As short as one line of text (the dismiss button too): the row is there on every page.
    const int line = message_->fontMetrics().height() + 2;
    close_->setFixedSize(line, line);
    setFixedHeight(line + 2 * kVerticalMargin + 2 * frameWidth() + 2);   // + the message's 1 px border
    // Without a message the button stays in its place, blank and disabled: the label's width
    // (and so where a message is elided) never changes.
    close_->setEnabled(false);
}

void NotificationBar::showMessage(const QString& text, Kind kind)
{
    // An error on screen is not replaced by a passing notice.
    if (kind == Kind::Info && kind_ == Kind::Error && showing_)
        return;
    kind_ = kind;
    text_ = text;
    showing_ = true;
    setStyleSheet(kind == Kind::Error
                      ? QStringLiteral("#notificationBar { background: #fdecea; border: 1px solid #e57373; }"
                                       " QLabel { color: #7f1d1d; }")
                      : QStringLiteral("#notificationBar { background: #e8f1fb; border: 1px solid #90b4dd; }"
                                       " QLabel { color: #123; }"));
    message_->setToolTip(text);
    showElided();
    close_->setText(QStringLiteral("✕"));
    close_->setToolTip(tr("Dismiss"));
    close_->setEnabled(true);
    if (kind == Kind::Info)
        autoHide_->start(kInfoMilliseconds);
    else
        autoHide_->stop();
}

void NotificationBar::dismiss()
{
    autoHide_->stop();
    showing_ = false;
    kind_ = Kind::Info;
    text_.clear();
    message_->clear();
    message_->setToolTip(QString());
    close_->setText(QString());
    close_->setToolTip(QString());
    close_->setEnabled(false);
    setStyleSheet(QString());   // an empty row, the window's own colour
}

void NotificationBar::resizeEvent(QResizeEvent* event)
{
    QFrame::resizeEvent(event);
    if (showing_)
        showElided();
}

void NotificationBar::showElided()
{
    // One line: line breaks become spaces, and what does not fit ends in "…" (the tooltip has it all).
    QString line = text_;
    line.replace(QLatin1Char('\n'), QLatin1Char(' '));
    const int room = std::max(0, message_->width());
    message_->setText(room > 0 ? message_->fontMetrics().elidedText(line, Qt::ElideRight, room) : line);
}

}  // namespace ebm::studio
