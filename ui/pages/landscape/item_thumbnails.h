#pragma once
// A thumbnail of each chosen image, loaded on the worker as the model reads it (its channels and
// size) a moment after the choice changes; an item that cannot be read shows why.
#include <QImage>
#include <QPointer>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include "pages/landscape/landscape_jobs.h"

class QLabel;
class QTimer;

namespace ebm::studio {

class JobHandle;
class StudioEngine;

class ItemThumbnails : public QWidget {
    Q_OBJECT
public:
    /// `names` ("From", "To") caption one thumbnail each; `jobKind` names this row's loads, so
    /// that a newer request replaces an older one of the same row only.
    ItemThumbnails(StudioEngine* engine, const QString& jobKind, const QStringList& names, QWidget* parent = nullptr);

    /// Loads the items a moment from now (changes in between make one request).
    void request(const QString& dataSet, const QVector<LandscapeItem>& items);
    /// Loads the last request's items again (another model).
    void reload();
    /// Dims the thumbnails of items not in use (the plane of principal components uses none).
    void setItemsInUse(bool inUse);

    QImage image(int index) const { return images_.value(index); }
    QString error(int index) const { return errors_.value(index); }
    /// A load waits or runs.
    bool isLoading() const;

protected:
    void showEvent(QShowEvent* event) override;

private:
    void load();
    void show(const LandscapeImages& loaded);

    StudioEngine* engine_;
    QString jobKind_;
    QVector<QLabel*> pictures_;
    QVector<QLabel*> captions_;
    QStringList names_;
    QString dataSet_;
    QVector<LandscapeItem> items_;
    QVector<QImage> images_;
    QStringList errors_;
    QTimer* delay_;
    bool loadWhenShown_ = false;  // the worker is not asked for pictures nobody sees
    QPointer<JobHandle> loading_;
};

}  // namespace ebm::studio
