#pragma once
#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

namespace ebm::studio {

/// The live grid of samples: paints N small images as large as the widget allows; a click
/// selects one sample.
class SampleGridWidget : public QWidget {
    Q_OBJECT
public:
    explicit SampleGridWidget(QWidget* parent = nullptr);

    void setImages(const QVector<QImage>& images);
    void setEnergies(const QVector<double>& energies);
    void setPlaceholder(const QString& text);
    /// Per-cell tooltips ("Sample 3, energy ...") for grids of samples; off for other images.
    void setSampleToolTips(bool on) { sampleToolTips_ = on; }
    const QVector<QImage>& images() const { return images_; }
    int selected() const { return selected_; }
    /// Cell under a point in widget coordinates, -1 when none.
    int indexAt(const QPoint& pos) const;
    /// Rectangle of a cell (for tests and tooltips).
    QRect cellRect(int index) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    void setSelected(int index);

Q_SIGNALS:
    void sampleClicked(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    struct Layout {
        int cols = 1, rows = 1, cell = 0, originX = 0, originY = 0;
    };
    Layout layoutFor(int count) const;

    QVector<QImage> images_;
    QVector<double> energies_;
    QString placeholder_;
    int selected_ = -1;
    bool sampleToolTips_ = true;
};

}  // namespace ebm::studio
