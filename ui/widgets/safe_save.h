#pragma once
// What the studio's Save and Export commands write goes through the engine's one safe writer
// (ebm::writeFileAtomically), so the studio keeps the command-line tool's rules: a temporary
// beside the target under a name nobody can guess, renamed over it; a symbolic link at the
// target is followed and stays a link; a pipe, device or folder is refused untouched (a pipe
// without a reader would block the GUI thread). No torch: safe on the GUI thread.
#include <QByteArray>
#include <QImage>
#include <QString>

#include <string>

#include "ebm/base/json.h"

namespace ebm::studio {

/// Writes `bytes` to `path` whole or not at all. On failure returns false with `error` the
/// writer's one line, which names the file and says what to do; `what` names the content
/// ("session", "evaluation report").
bool saveBytes(const QString& path, const QByteArray& bytes, const QString& what, QString& error);

/// Encodes `image` as `format` ("PNG"; the file name's suffix decides when null, as for
/// QImage::save) and writes it with saveBytes. With `settingsJson` (not empty) a PNG keeps it as
/// its "ebm-studio" settings chunk (ebm::encodePng, the picture as 8-bit gray, RGB or RGBA, which
/// Qt's writer cannot do: it writes a long text compressed); other formats keep none.
bool saveImage(const QImage& image, const QString& path, const char* format, const QString& what, QString& error,
               const std::string& settingsJson = {});

/// The opening every studio picture's settings share: "format" and "version" (as
/// ebm/base/png_settings.h requires), the app and its version, and `command`, what made the
/// picture ("studio sample", "studio compare"). The maker adds the rest.
ebm::Json studioPictureHeader(const std::string& command);

}  // namespace ebm::studio
