#pragma once
// The Inpaint page's mask: which pixels of the image to complete are generated. The canvas
// paints it and the page's buttons edit it; every edit (a stroke, a preset, clear, invert, a
// loaded file) goes through edit(), one QUndoCommand each on the page's undo stack. The presets
// are the engine's (ebm/base/mask_preset.h), so a preset here is the same mask as
// `ebm inpaint --mask` gives.
#include <string>

#include <QImage>
#include <QObject>
#include <QString>
#include <QVector>

#include <cstdint>

class QUndoStack;

namespace ebm::studio {

class MaskDocument : public QObject {
    Q_OBJECT
public:
    /// A mask pixel of at least this value is generated (a soft brush edge paints grey).
    static constexpr int kGenerateThreshold = 128;

    /// An empty mask of the default image's size (32x32) until resize() gives the image's.
    explicit MaskDocument(QUndoStack* stack, QObject* parent = nullptr);

    /// Grayscale8, the image's size.
    const QImage& mask() const { return mask_; }
    QSize size() const { return mask_.size(); }
    /// The mask with only 0 and 255: what runs, files and sessions get.
    QImage binary() const;
    int generatedPixels() const;
    /// Row-major, 1 = generate: the mask a run gets.
    QVector<float> values() const;

    /// One undoable edit; returns false (and records nothing) when `next` is the mask already.
    bool edit(const QImage& next, const QString& text);
    /// `name`: "left", "right", "top", "bottom", "centre" or "random" (each pixel generated with
    /// probability `fraction`). False for an unknown name.
    bool applyPreset(const QString& name, double fraction = 0.5);
    void clear();
    void invert();
    /// A mask picture (white = generate). One of another size is scaled with nearest neighbours
    /// and `note`, when given, says so. False with `error` set when it cannot be read.
    bool load(const QString& path, QString& error, QString* note = nullptr);
    /// With `settingsJson` (not empty) the PNG keeps it as its "ebm-studio" settings chunk.
    bool save(const QString& path, QString& error, const std::string& settingsJson = {}) const;

    /// The image to complete has `size`: a mask of another size is replaced by an empty one
    /// (not an undo step; earlier steps still apply, scaled).
    void resize(const QSize& size);
    /// Replaces the mask with `mask` (scaled to this size, only 0 and 255 kept) without an undo
    /// step: a session's mask is a new starting point.
    void reset(const QImage& mask);

    /// The seed of the random preset: the one `ebm inpaint` uses when --seed is not given, so
    /// the page's "random 0.5" is `ebm inpaint --mask random:0.5`'s mask.
    static uint64_t presetSeed();

Q_SIGNALS:
    /// An edit, undo, redo, resize or reset changed the mask.
    void maskChanged();

private:
    /// What undo and redo write: Grayscale8, and a mask of another size (a step from before a
    /// model of another size) scaled to this one with nearest neighbours.
    void setMask(const QImage& mask);

    QUndoStack* stack_;
    QImage mask_;
};

}  // namespace ebm::studio
