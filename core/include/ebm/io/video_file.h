#pragma once
// Videos of RGB frames: MP4 (H.264 through FFmpeg's libavcodec and libavformat) and animated WebP
// (libwebp's animation encoder), the format chosen by the file's extension; and a small reader of
// both for `ebm info` and the tests. No torch: frames are 8-bit RGB rows.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ebm {

enum class VideoFormat { Mp4, WebP };

/// The extensions a video may have, for messages: ".mp4 or .webp".
std::string supportedVideoExtensions();

/// The format a file's extension asks for (any case). Throws ebm::Error in one line naming the
/// file and the supported extensions (a .gif, an .avi).
VideoFormat videoFormatOf(const std::string& path);

/// What the writer of a run needs, checked before any work: the extension, the folder (exists and
/// is writable) and, for .mp4, an H.264 encoder in this FFmpeg. Throws ebm::Error in one line.
void checkVideoOutput(const std::string& path);

/// x264's constant rate factor: 18 looks lossless to most eyes, 23 is x264's default; sharp
/// upscaled pixels and small captions want the lower end.
constexpr int kVideoH264Crf = 20;
/// x264's speed preset: "faster" encodes a noisy 720p run about twice as fast as x264's "medium"
/// for some 10% more bytes.
inline constexpr char kVideoH264Preset[] = "faster";
/// Lossy WebP's quality (0-100) when the video is not lossless.
constexpr int kVideoWebPQuality = 90;
/// libwebp's effort (0 fast - 6 slow): 4 is its default; a run's video has a few hundred frames.
constexpr int kVideoWebPMethod = 4;
/// Frame rates a video may have.
constexpr int kMinVideoFps = 1;
constexpr int kMaxVideoFps = 120;
/// Largest frame side a video writer accepts (8K), checked before anything is allocated.
constexpr int kMaxVideoSide = 8192;

struct VideoSettings {
    int fps = 24;
    /// WebP only: every pixel kept exactly (MP4's H.264 is always lossy).
    bool lossless = false;
};

/// Writes frames of one fixed size as they come, encoded in memory, and the file at finish(),
/// atomically (writeFileAtomically): a reader sees the old file or the whole new one. Destroyed
/// or cancelled before finish(), it leaves no file. H.264 needs even sides: an odd width or
/// height is padded by repeating the last column or row (the MP4 is then that much larger).
/// An animated WebP stores a frame equal to the one before it once, shown for longer (lossy: one
/// that differs from it by less than the quality keeps anyway).
class VideoWriter {
public:
    /// Throws ebm::Error in one line: an unsupported extension, a missing or unwritable folder,
    /// a size or frame rate out of range, no H.264 encoder (write .webp instead).
    VideoWriter(const std::string& path, int width, int height, VideoSettings settings = {});
    ~VideoWriter();
    VideoWriter(const VideoWriter&) = delete;
    VideoWriter& operator=(const VideoWriter&) = delete;

    /// One frame: width * height * 3 bytes, RGB, rows from the top, no padding between rows.
    void addFrame(const uint8_t* rgb);
    void addFrame(const std::vector<uint8_t>& rgb);
    /// Ends the stream and writes the file (throws ebm::Error naming it when that fails).
    void finish();
    /// Drops what was encoded; nothing is written. Idempotent; the writer takes no more frames.
    void cancel();

    int frameCount() const;
    /// The size the file's frames have: the given one, or for MP4 padded to even sides.
    int encodedWidth() const;
    int encodedHeight() const;

    struct Encoder;  // one per format, in video_file.cpp

private:
    std::string path_;
    int width_ = 0;
    int height_ = 0;
    int frames_ = 0;
    bool open_ = true;
    std::unique_ptr<Encoder> encoder_;
};

/// What a video file holds. `fps` is the stream's frame rate for MP4; for an animated WebP,
/// which stores times rather than a rate, its frames over its duration.
struct VideoInfo {
    VideoFormat format = VideoFormat::Mp4;
    int frames = 0;
    int width = 0;
    int height = 0;
    double fps = 0.0;
    double seconds = 0.0;
};

/// Reads a video's header (and, for MP4, its packets: the count is exact). Throws ebm::Error in
/// one line naming the file: missing, unreadable, not a video of a supported format.
VideoInfo readVideoInfo(const std::string& path);

/// Frame `index` (0-based) decoded as width * height * 3 bytes of RGB. Throws ebm::Error naming
/// the file for an index past the end or a damaged file.
std::vector<uint8_t> readVideoFrame(const std::string& path, int index);

}  // namespace ebm
