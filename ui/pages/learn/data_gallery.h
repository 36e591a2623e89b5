#pragma once
// The Learn page's gallery of the built-in 2D data sets (issue 23, after GAN Lab and the
// TensorFlow Playground): one thumbnail per set, a few hundred of its points on one common scale
// with the set's name under it. A click chooses the set (the page loads it as if chosen in its
// Set box); the set chosen there is highlighted. The points come from one LearnGalleryJob,
// started the first time the gallery is shown, not when it is made (the studio starts fast);
// the thumbnails are drawn here, on the GUI thread, with QPainter.
#include <QHash>
#include <QImage>
#include <QPixmap>
#include <QPointF>
#include <QPointer>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QButtonGroup;
class QScrollArea;
class QToolButton;

namespace ebm::studio {

class JobHandle;
class StudioEngine;
struct LearnGalleryItem;

class DataGallery : public QWidget {
    Q_OBJECT
public:
    /// One thumbnail per name of `names` (toys the worker can make: learnDataNames()).
    DataGallery(StudioEngine* engine, const QStringList& names, QWidget* parent = nullptr);

    QStringList names() const { return names_; }
    /// Highlights the set `name`, none when it is not in the gallery; emits nothing.
    void setCurrent(const QString& name);
    /// The highlighted set; empty when none.
    QString current() const;
    /// The thumbnail's button (objectName "learnGallery-<name>"); null for an unknown name.
    QToolButton* button(const QString& name) const;
    /// The picture the button of `name` shows (background only until the points came).
    QImage thumbnail(const QString& name) const;
    /// The thumbnails' side in logical pixels: as large as the width allows, 64 to 96.
    int thumbnailSize() const { return side_; }
    bool isLoading() const;
    /// Every thumbnail shows its points.
    bool isLoaded() const { return loaded_; }

Q_SIGNALS:
    /// A click (or Space) on the thumbnail of `name`.
    void chosen(const QString& name);
    /// The thumbnails show their points.
    void loaded();
    void problem(const QString& message);

protected:
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void load();
    void take(const QVector<LearnGalleryItem>& items);
    /// The thumbnails' side for the width, the buttons' size and the strip's height.
    void fitToWidth();
    void redraw();
    QPixmap draw(const QVector<QPointF>& points) const;
    QSize tileSize(int side) const;

    StudioEngine* engine_;
    QStringList names_;
    QScrollArea* scroll_;
    QButtonGroup* group_;
    QVector<QToolButton*> buttons_;         // one per name, in the order of names_
    QVector<QPixmap> pictures_;             // what the buttons show
    QHash<QString, QVector<QPointF>> points_;
    double halfWidth_ = 3.0;                // every thumbnail shows [-halfWidth, halfWidth]^2
    int side_ = 96;
    bool asked_ = false;                    // the job was started (again only when it was dropped)
    bool loaded_ = false;
    QPointer<JobHandle> loading_;
};

}  // namespace ebm::studio
