#pragma once
// Inpainting side by side: the original, the masked input, then each completion above its
// per-pixel difference to the original, with the mean squared error over the generated pixels;
// the best completion framed green, the worst red. The same picture is exported as PNG.
#include <QImage>
#include <QVector>
#include <QWidget>

namespace ebm::studio {

class ComparisonPanel : public QWidget {
    Q_OBJECT
public:
    explicit ComparisonPanel(QWidget* parent = nullptr);

    /// `mask`: Grayscale8, >= 128 generated. Completions are the model's size.
    void setResult(const QImage& original, const QImage& mask, const QVector<QImage>& completions,
                   const QVector<double>& maskedMse);
    void clear();
    bool isEmpty() const { return completions_.isEmpty(); }
    int bestIndex() const { return best_; }
    int worstIndex() const { return worst_; }
    /// The panel as one picture, each image pixel `scale` x `scale` screen pixels, the
    /// completions in `columns` columns (0: up to eight).
    QImage render(int scale, int columns = 0) const;
    /// |completion - original| per pixel (0 outside the generated pixels, by construction).
    static QImage difference(const QImage& completion, const QImage& original);
    /// The original with the generated pixels shown in mid grey.
    static QImage maskedInput(const QImage& original, const QImage& mask);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QSize renderedSize(int scale, int columns) const;

private:
    QImage original_;
    QImage mask_;
    QVector<QImage> completions_;
    QVector<double> mse_;
    int best_ = -1;
    int worst_ = -1;
};

}  // namespace ebm::studio
