#include "pages/inpaint/mask_document.h"

#include <QColorSpace>

#include <QFileInfo>
#include <QLocale>
#include <QUndoStack>

#include <vector>

#include "ebm/base/error.h"
#include "ebm/base/mask_preset.h"
#include "ebm/schedule/sampling_options.h"
#include "widgets/safe_save.h"
#include "widgets/snapshot_command.h"

namespace ebm::studio {
namespace {

constexpr int kDefaultImageSize = 32;

QImage emptyMask(const QSize& size)
{
    QImage mask(size, QImage::Format_Grayscale8);
    mask.fill(0);
    return mask;
}

/// Grayscale8 of `size`; nearest neighbours keep a mask a mask (no grey edges for the
/// threshold to move).
QImage fittedMask(const QImage& mask, const QSize& size)
{
    const QImage grey = mask.convertToFormat(QImage::Format_Grayscale8);
    return grey.size() == size ? grey : grey.scaled(size, Qt::IgnoreAspectRatio, Qt::FastTransformation);
}

/// Only 0 and 255, and no colour space: a mask is a choice of pixels, not a picture (a PNG's
/// sRGB chunk would otherwise ride along into the document and its saves).
QImage binaryMask(QImage mask)
{
    mask.setColorSpace(QColorSpace());
    for (int y = 0; y < mask.height(); ++y) {
        uchar* row = mask.scanLine(y);
        for (int x = 0; x < mask.width(); ++x)
            row[x] = row[x] >= MaskDocument::kGenerateThreshold ? 255 : 0;
    }
    return mask;
}

}  // namespace

MaskDocument::MaskDocument(QUndoStack* stack, QObject* parent)
    : QObject(parent), stack_(stack), mask_(emptyMask(QSize(kDefaultImageSize, kDefaultImageSize)))
{
}

uint64_t MaskDocument::presetSeed() { return ebm::SamplingOptions().seed; }

QImage MaskDocument::binary() const { return binaryMask(mask_); }

int MaskDocument::generatedPixels() const
{
    int count = 0;
    for (int y = 0; y < mask_.height(); ++y) {
        const uchar* row = mask_.constScanLine(y);
        for (int x = 0; x < mask_.width(); ++x)
            count += row[x] >= kGenerateThreshold;
    }
    return count;
}

QVector<float> MaskDocument::values() const
{
    QVector<float> out(mask_.width() * mask_.height());
    for (int y = 0; y < mask_.height(); ++y) {
        const uchar* row = mask_.constScanLine(y);
        for (int x = 0; x < mask_.width(); ++x)
            out[y * mask_.width() + x] = row[x] >= kGenerateThreshold ? 1.0f : 0.0f;
    }
    return out;
}

bool MaskDocument::edit(const QImage& next, const QString& text)
{
    if (next == mask_)
        return false;
    stack_->push(snapshotCommand(this, &MaskDocument::setMask, mask_, next, text));
    return true;
}

bool MaskDocument::applyPreset(const QString& name, double fraction)
{
    // The shortest text that reads back as the same double: the engine gets this very fraction.
    const QString fractionText = QString::number(fraction, 'g', QLocale::FloatingPointShortest);
    const QString spec = name == QLatin1String("random") ? QStringLiteral("random:") + fractionText : name;
    const int side = mask_.width();  // the model's images are square
    std::vector<uint8_t> pixels;
    try {
        pixels = ebm::presetMaskPixels(spec.toStdString(), side, presetSeed());
    } catch (const ebm::Error&) {
        return false;
    }
    QImage mask = emptyMask(QSize(side, side));
    for (int y = 0; y < side; ++y) {
        uchar* row = mask.scanLine(y);
        for (int x = 0; x < side; ++x)
            row[x] = pixels[size_t(y) * side + x] ? 255 : 0;
    }
    edit(mask, tr("Mask preset %1").arg(spec));
    return true;
}

void MaskDocument::clear() { edit(emptyMask(mask_.size()), tr("Clear mask")); }

void MaskDocument::invert()
{
    QImage mask = binary();
    mask.invertPixels();
    edit(mask, tr("Invert mask"));
}

bool MaskDocument::load(const QString& path, QString& error, QString* note)
{
    const QImage picture(path);
    if (picture.isNull()) {
        error = tr("%1: not a readable picture (a mask is a PNG, white = generate)").arg(path);
        return false;
    }
    if (picture.size() != mask_.size() && note)
        *note = tr("%1 is %2x%3: scaled to %4x%5 with nearest neighbours")
                    .arg(QFileInfo(path).fileName())
                    .arg(picture.width())
                    .arg(picture.height())
                    .arg(mask_.width())
                    .arg(mask_.height());
    edit(binaryMask(fittedMask(picture, mask_.size())), tr("Load mask"));
    return true;
}

bool MaskDocument::save(const QString& path, QString& error, const std::string& settingsJson) const
{
    return saveImage(binary(), path, "PNG", tr("mask"), error, settingsJson);
}

void MaskDocument::resize(const QSize& size)
{
    if (mask_.size() == size)
        return;
    mask_ = emptyMask(size);
    Q_EMIT maskChanged();
}

void MaskDocument::reset(const QImage& mask) { setMask(binaryMask(fittedMask(mask, mask_.size()))); }

void MaskDocument::setMask(const QImage& mask)
{
    mask_ = fittedMask(mask, mask_.size());
    Q_EMIT maskChanged();
}

}  // namespace ebm::studio
