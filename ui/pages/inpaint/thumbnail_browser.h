#pragma once
// Browsing a data set by its pictures: pages of 64 thumbnails (as the model gets them), read on
// the worker; a click chooses one.
#include <QDialog>
#include <QPointer>

class QLabel;
class QPushButton;

namespace ebm::studio {

class JobHandle;
class SampleGridWidget;
class StudioEngine;

class ThumbnailBrowser : public QDialog {
    Q_OBJECT
public:
    ThumbnailBrowser(StudioEngine* engine, QString spec, int around, QWidget* parent = nullptr);

    /// The index clicked (-1 until then).
    int chosenIndex() const { return chosen_; }
    SampleGridWidget* grid() const { return grid_; }
    int firstShown() const { return first_; }
    void showPage(int first);

private:
    StudioEngine* engine_;
    QString spec_;
    SampleGridWidget* grid_;
    QLabel* range_;
    QPushButton* previous_;
    QPushButton* next_;
    QPointer<JobHandle> reading_;
    int first_ = 0;
    int total_ = 0;
    int chosen_ = -1;
};

}  // namespace ebm::studio
