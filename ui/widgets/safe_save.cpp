#include "widgets/safe_save.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QImageWriter>
#include <QObject>

#include <exception>

#include "ebm/base/atomic_file.h"
#include "ebm/base/error.h"
#include "ebm/base/png_settings.h"

namespace ebm::studio {
namespace {

/// `image` as PNG bytes with the settings chunk: 8-bit gray when every pixel is gray, else RGB,
/// or RGBA when it has an alpha channel. Throws ebm::Error (see ebm::encodePng).
QByteArray encodeWithSettings(const QImage& image, const std::string& settingsJson)
{
    QImage pixels;
    int channels = 0;
    if (image.isGrayscale()) {
        pixels = image.convertToFormat(QImage::Format_Grayscale8);
        channels = 1;
    } else if (image.hasAlphaChannel()) {
        pixels = image.convertToFormat(QImage::Format_RGBA8888);
        channels = 4;
    } else {
        pixels = image.convertToFormat(QImage::Format_RGB888);
        channels = 3;
    }
    return QByteArray::fromStdString(ebm::encodePng(pixels.constBits(), pixels.width(), pixels.height(), channels,
                                                    size_t(pixels.bytesPerLine()), settingsJson));
}

}  // namespace

bool saveBytes(const QString& path, const QByteArray& bytes, const QString& what, QString& error)
{
    try {
        ebm::writeFileAtomically(QFile::encodeName(path).toStdString(), bytes.toStdString(), what.toStdString());
    } catch (const ebm::Error& e) {
        error = QString::fromStdString(e.what());
        return false;
    } catch (const std::exception& e) {  // out of memory and the like: still one line naming the file
        error = QObject::tr("%1: could not write the %2 (%3)").arg(path, what, QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

bool saveImage(const QImage& image, const QString& path, const char* format, const QString& what, QString& error,
               const std::string& settingsJson)
{
    if (image.isNull()) {
        error = QObject::tr("%1: there is no %2 to write yet").arg(path, what);
        return false;
    }
    // A buffer has no name to guess the type from: take it from the file's suffix, as QImage::save does.
    const QByteArray type = format ? QByteArray(format).toLower() : QFileInfo(path).suffix().toLower().toLatin1();
    if (!QImageWriter::supportedImageFormats().contains(type)) {
        error = QObject::tr("%1: cannot write a %2 as \"%3\"; end the file name in .png (or .jpg, .bmp)")
                    .arg(path, what, QString::fromLatin1(type));
        return false;
    }
    if (!settingsJson.empty() && type == "png") {
        try {
            return saveBytes(path, encodeWithSettings(image, settingsJson), what, error);
        } catch (const std::exception& e) {  // settings that are none, libpng's failure, out of memory
            error = QObject::tr("%1: could not encode the %2 (%3)").arg(path, what, QString::fromStdString(e.what()));
            return false;
        }
    }
    QByteArray encoded;
    QBuffer buffer(&encoded);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, type);
    if (!writer.write(image)) {
        error = QObject::tr("%1: could not encode the %2 (%3)").arg(path, what, writer.errorString());
        return false;
    }
    buffer.close();
    return saveBytes(path, encoded, what, error);
}

ebm::Json studioPictureHeader(const std::string& command)
{
    return ebm::Json{{"format", ebm::kPngSettingsFormat},
                     {"version", ebm::kPngSettingsVersion},
                     {"app", "EBM Studio"},
                     {"app_version", EBM_STUDIO_VERSION},
                     {"command", command}};
}

}  // namespace ebm::studio
