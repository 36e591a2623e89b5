#include "ebm/io/video_file.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <webp/demux.h>
#include <webp/encode.h>
#include <webp/mux.h>
}

#include "ebm/base/atomic_file.h"
#include "ebm/base/error.h"
#include "base/file_util.h"

namespace ebm {

namespace fs = std::filesystem;

namespace {

// The encoder FFmpeg names x264 by; Debian's libavcodec has it.
constexpr const char* kX264EncoderName = "libx264";
// An H.264 encoder other than x264 gets a bit rate instead of x264's CRF: bits per pixel and frame.
constexpr double kFallbackBitsPerPixel = 0.15;
// libavformat writes through a buffer of this size into the in-memory file.
constexpr int kAvioBufferBytes = 64 * 1024;
// Largest video file the reader loads whole (WebP is decoded from memory).
constexpr uintmax_t kMaxVideoFileBytes = uintmax_t(2) << 30;
// A WebP file starts "RIFF", its size, then "WEBP".
constexpr size_t kWebPSignatureBytes = 12;

bool endsWith(const std::string& name, const std::string& suffix)
{
    if (name.size() < suffix.size())
        return false;
    return std::equal(suffix.rbegin(), suffix.rend(), name.rbegin(),
                      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

std::string ffmpegMessage(int code)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

/// FFmpeg logs to stderr by default (x264's statistics on every close): the engine's own one-line
/// errors say what went wrong, so only FFmpeg's fatal messages remain.
void quietFFmpegLogs()
{
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_level(AV_LOG_FATAL); });
}

const AVCodec* findH264Encoder()
{
    if (const AVCodec* x264 = avcodec_find_encoder_by_name(kX264EncoderName))
        return x264;
    return avcodec_find_encoder(AV_CODEC_ID_H264);
}

[[noreturn]] void throwNoH264Encoder(const std::string& path)
{
    throw Error(path + ": this FFmpeg has no H.264 encoder: write .webp instead, or install a libavcodec built "
                       "with libx264 (Debian's libavcodec is)");
}

/// The folder a file goes into must exist and take new files: checked before a run, not after it.
void checkOutputFolder(const std::string& path)
{
    if (path.empty())
        throw Error("no file name given for the video");
    std::error_code code;
    if (fs::is_directory(path, code))
        throw Error(path + ": is a folder; give the video a file name ending in " + supportedVideoExtensions());
    const fs::path target(path);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, code))
        throw Error(path + ": the folder " + folder.string() + " does not exist; create it or choose another");
    if (::access(folder.c_str(), W_OK | X_OK) != 0)
        throw Error(path + ": the folder " + folder.string() + " is not writable; choose another");
}

int even(int side) { return side + (side & 1); }

// ---------------------------------------------------------------------------------------------
// MP4: H.264 in memory through a custom AVIOContext (the MP4 muxer seeks back to write sizes),
// then one atomic write.

struct MemoryFile {
    std::string bytes;
    size_t position = 0;
};

#if LIBAVFORMAT_VERSION_MAJOR >= 61
using AvioWriteBuffer = const uint8_t*;  // FFmpeg 7 made the write callback's buffer const
#else
using AvioWriteBuffer = uint8_t*;
#endif

int writeToMemory(void* opaque, AvioWriteBuffer data, int size)
{
    auto* file = static_cast<MemoryFile*>(opaque);
    const size_t end = file->position + static_cast<size_t>(size);
    if (end > file->bytes.size())
        file->bytes.resize(end);
    std::memcpy(&file->bytes[file->position], data, static_cast<size_t>(size));
    file->position = end;
    return size;
}

int64_t seekInMemory(void* opaque, int64_t offset, int whence)
{
    auto* file = static_cast<MemoryFile*>(opaque);
    if (whence & AVSEEK_SIZE)
        return static_cast<int64_t>(file->bytes.size());
    int64_t base = 0;
    switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET:
        break;
    case SEEK_CUR:
        base = static_cast<int64_t>(file->position);
        break;
    case SEEK_END:
        base = static_cast<int64_t>(file->bytes.size());
        break;
    default:
        return AVERROR(EINVAL);
    }
    if (base + offset < 0)
        return AVERROR(EINVAL);
    file->position = static_cast<size_t>(base + offset);
    return base + offset;
}

struct FormatContextFree {
    void operator()(AVFormatContext* context) const { avformat_free_context(context); }
};
struct InputContextClose {
    void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
struct CodecContextFree {
    void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct FrameFree {
    void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketFree {
    void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct ScaleContextFree {
    void operator()(SwsContext* context) const { sws_freeContext(context); }
};
struct IoContextFree {
    void operator()(AVIOContext* io) const
    {
        av_freep(&io->buffer);
        avio_context_free(&io);
    }
};

using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;

}  // namespace

struct VideoWriter::Encoder {
    virtual ~Encoder() = default;
    virtual void add(const uint8_t* rgb, int index) = 0;
    /// The whole file's bytes.
    virtual std::string finish(int frames) = 0;
};

namespace {

class Mp4Encoder final : public VideoWriter::Encoder {
public:
    Mp4Encoder(const std::string& path, int width, int height, int fps);
    void add(const uint8_t* rgb, int index) override;
    std::string finish(int frames) override;

private:
    [[noreturn]] void fail(const std::string& what, int code) const
    {
        throw Error(path_ + ": could not encode the video: " + what + " (" + ffmpegMessage(code) + ")");
    }
    /// Sends a frame (nullptr: the end) and writes every packet the encoder has ready.
    void encode(const AVFrame* frame);
    const uint8_t* padded(const uint8_t* rgb);

    std::string path_;
    int width_, height_, paddedWidth_, paddedHeight_;
    // Destroyed in reverse: the muxer before the I/O it writes through, that before the bytes.
    MemoryFile file_;
    std::unique_ptr<AVIOContext, IoContextFree> io_;
    std::unique_ptr<AVFormatContext, FormatContextFree> format_;
    std::unique_ptr<AVCodecContext, CodecContextFree> codec_;
    std::unique_ptr<SwsContext, ScaleContextFree> toYuv_;
    AVStream* stream_ = nullptr;
    FramePtr frame_{av_frame_alloc()};
    PacketPtr packet_{av_packet_alloc()};
    std::vector<uint8_t> paddedRgb_;
};

Mp4Encoder::Mp4Encoder(const std::string& path, int width, int height, int fps)
    : path_(path), width_(width), height_(height), paddedWidth_(even(width)), paddedHeight_(even(height))
{
    quietFFmpegLogs();
    const AVCodec* encoder = findH264Encoder();
    if (!encoder)
        throwNoH264Encoder(path);
    if (!frame_ || !packet_)
        throw Error(path + ": out of memory while starting the video");
    AVFormatContext* format = nullptr;
    if (const int code = avformat_alloc_output_context2(&format, nullptr, "mp4", nullptr); code < 0 || !format)
        fail("this FFmpeg cannot write MP4", code < 0 ? code : AVERROR_MUXER_NOT_FOUND);
    format_.reset(format);
    stream_ = avformat_new_stream(format, nullptr);
    codec_.reset(avcodec_alloc_context3(encoder));
    if (!stream_ || !codec_)
        fail("starting the encoder", AVERROR(ENOMEM));
    AVCodecContext& codec = *codec_;
    codec.width = paddedWidth_;
    codec.height = paddedHeight_;
    codec.pix_fmt = AV_PIX_FMT_YUV420P;
    codec.time_base = AVRational{1, fps};
    codec.framerate = AVRational{fps, 1};
    codec.sample_aspect_ratio = AVRational{1, 1};
    // Tagged as it is converted below, so that players turn it back into the same colours.
    codec.color_range = AVCOL_RANGE_MPEG;
    codec.colorspace = AVCOL_SPC_BT709;
    codec.color_primaries = AVCOL_PRI_BT709;
    codec.color_trc = AVCOL_TRC_BT709;
    if (format->oformat->flags & AVFMT_GLOBALHEADER)
        codec.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* options = nullptr;
    if (std::strcmp(encoder->name, kX264EncoderName) == 0) {
        av_dict_set_int(&options, "crf", kVideoH264Crf, 0);
        av_dict_set(&options, "preset", kVideoH264Preset, 0);
    } else {
        codec.bit_rate = static_cast<int64_t>(kFallbackBitsPerPixel * paddedWidth_ * paddedHeight_ * fps);
    }
    const int opened = avcodec_open2(&codec, encoder, &options);
    av_dict_free(&options);
    if (opened < 0)
        fail(std::string("opening the H.264 encoder ") + encoder->name, opened);
    if (const int code = avcodec_parameters_from_context(stream_->codecpar, &codec); code < 0)
        fail("describing the stream", code);
    stream_->time_base = codec.time_base;
    stream_->avg_frame_rate = codec.framerate;

    auto* buffer = static_cast<unsigned char*>(av_malloc(kAvioBufferBytes));
    if (!buffer)
        fail("starting the file", AVERROR(ENOMEM));
    io_.reset(avio_alloc_context(buffer, kAvioBufferBytes, 1, &file_, nullptr, writeToMemory, seekInMemory));
    if (!io_) {
        av_free(buffer);
        fail("starting the file", AVERROR(ENOMEM));
    }
    format->pb = io_.get();
    format->flags |= AVFMT_FLAG_CUSTOM_IO;
    if (const int code = avformat_write_header(format, nullptr); code < 0)
        fail("writing the MP4 header", code);

    frame_->format = AV_PIX_FMT_YUV420P;
    frame_->width = paddedWidth_;
    frame_->height = paddedHeight_;
    if (const int code = av_frame_get_buffer(frame_.get(), 0); code < 0)
        fail("allocating a frame", code);
    toYuv_.reset(sws_getContext(paddedWidth_, paddedHeight_, AV_PIX_FMT_RGB24, paddedWidth_, paddedHeight_,
                                AV_PIX_FMT_YUV420P, SWS_BILINEAR | SWS_ACCURATE_RND, nullptr, nullptr, nullptr));
    if (!toYuv_)
        fail("starting the RGB to YUV conversion", AVERROR(EINVAL));
    const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(toYuv_.get(), bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
    if (paddedWidth_ != width_ || paddedHeight_ != height_)
        paddedRgb_.resize(static_cast<size_t>(paddedWidth_) * paddedHeight_ * 3);
}

/// The frame with its last column and row repeated to even sides (H.264's 4:2:0 needs them).
const uint8_t* Mp4Encoder::padded(const uint8_t* rgb)
{
    if (paddedRgb_.empty())
        return rgb;
    const size_t rowBytes = static_cast<size_t>(width_) * 3;
    const size_t paddedRowBytes = static_cast<size_t>(paddedWidth_) * 3;
    for (int y = 0; y < paddedHeight_; ++y) {
        const uint8_t* source = rgb + static_cast<size_t>(std::min(y, height_ - 1)) * rowBytes;
        uint8_t* row = paddedRgb_.data() + static_cast<size_t>(y) * paddedRowBytes;
        std::memcpy(row, source, rowBytes);
        if (paddedWidth_ != width_)
            std::memcpy(row + rowBytes, source + rowBytes - 3, 3);
    }
    return paddedRgb_.data();
}

void Mp4Encoder::add(const uint8_t* rgb, int index)
{
    if (const int code = av_frame_make_writable(frame_.get()); code < 0)
        fail("preparing a frame", code);
    const uint8_t* planes[1] = {padded(rgb)};
    const int strides[1] = {paddedWidth_ * 3};
    sws_scale(toYuv_.get(), planes, strides, 0, paddedHeight_, frame_->data, frame_->linesize);
    frame_->pts = index;
    encode(frame_.get());
}

void Mp4Encoder::encode(const AVFrame* frame)
{
    if (const int code = avcodec_send_frame(codec_.get(), frame); code < 0)
        fail("encoding a frame", code);
    for (;;) {
        const int code = avcodec_receive_packet(codec_.get(), packet_.get());
        if (code == AVERROR(EAGAIN) || code == AVERROR_EOF)
            return;
        if (code < 0)
            fail("encoding a frame", code);
        if (packet_->duration == 0)
            packet_->duration = 1;  // one frame: the last frame's duration comes from it
        av_packet_rescale_ts(packet_.get(), codec_->time_base, stream_->time_base);
        packet_->stream_index = stream_->index;
        if (const int written = av_interleaved_write_frame(format_.get(), packet_.get()); written < 0)
            fail("storing a frame", written);
    }
}

std::string Mp4Encoder::finish(int)
{
    encode(nullptr);
    if (const int code = av_write_trailer(format_.get()); code < 0)
        fail("writing the MP4 index", code);
    return std::move(file_.bytes);
}

// ---------------------------------------------------------------------------------------------
// Animated WebP through libwebp's WebPAnimEncoder (it keeps the encoded frames until assembly).

struct AnimEncoderDelete {
    void operator()(WebPAnimEncoder* encoder) const { WebPAnimEncoderDelete(encoder); }
};

class WebPEncoder final : public VideoWriter::Encoder {
public:
    WebPEncoder(const std::string& path, int width, int height, int fps, bool lossless);
    void add(const uint8_t* rgb, int index) override;
    std::string finish(int frames) override;

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        const char* detail = encoder_ ? WebPAnimEncoderGetError(encoder_.get()) : nullptr;
        throw Error(path_ + ": could not encode the WebP video: " + what +
                    (detail && *detail ? std::string(" (") + detail + ")" : std::string()));
    }
    int timestampMs(int index) const { return static_cast<int>(std::lround(index * 1000.0 / fps_)); }

    std::string path_;
    int width_, height_, fps_;
    WebPConfig config_{};
    std::unique_ptr<WebPAnimEncoder, AnimEncoderDelete> encoder_;
};

WebPEncoder::WebPEncoder(const std::string& path, int width, int height, int fps, bool lossless)
    : path_(path), width_(width), height_(height), fps_(fps)
{
    WebPAnimEncoderOptions options;
    if (!WebPAnimEncoderOptionsInit(&options) || !WebPConfigInit(&config_))
        fail("this libwebp does not match the version it was built against");
    options.anim_params.loop_count = 0;  // loop forever, as a viewer of a short clip expects
    options.allow_mixed = 0;             // every frame lossless, or every frame lossy: as asked
    config_.lossless = lossless ? 1 : 0;
    // For lossless, quality is the effort spent on smaller files; libwebp's default.
    config_.quality = lossless ? 75.0f : static_cast<float>(kVideoWebPQuality);
    config_.method = kVideoWebPMethod;
    if (!WebPValidateConfig(&config_))
        fail("the encoder settings are invalid");
    encoder_.reset(WebPAnimEncoderNew(width, height, &options));
    if (!encoder_)
        fail("starting the encoder (out of memory?)");
}

void WebPEncoder::add(const uint8_t* rgb, int index)
{
    WebPPicture picture;
    if (!WebPPictureInit(&picture))
        fail("this libwebp does not match the version it was built against");
    picture.width = width_;
    picture.height = height_;
    picture.use_argb = 1;
    if (!WebPPictureImportRGB(&picture, rgb, width_ * 3)) {
        WebPPictureFree(&picture);
        fail("out of memory for a frame");
    }
    const int added = WebPAnimEncoderAdd(encoder_.get(), &picture, timestampMs(index), &config_);
    WebPPictureFree(&picture);
    if (!added)
        fail("encoding frame " + std::to_string(index + 1));
}

std::string WebPEncoder::finish(int frames)
{
    // The end time gives the last frame its duration.
    if (!WebPAnimEncoderAdd(encoder_.get(), nullptr, timestampMs(frames), nullptr))
        fail("ending the animation");
    WebPData data;
    WebPDataInit(&data);
    if (!WebPAnimEncoderAssemble(encoder_.get(), &data))
        fail("assembling the file");
    std::string bytes(reinterpret_cast<const char*>(data.bytes), data.size);
    WebPDataClear(&data);
    return bytes;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string supportedVideoExtensions() { return ".mp4 or .webp"; }

VideoFormat videoFormatOf(const std::string& path)
{
    if (endsWith(path, ".mp4"))
        return VideoFormat::Mp4;
    if (endsWith(path, ".webp"))
        return VideoFormat::WebP;
    throw Error(path + ": unknown video format; name the file with " + supportedVideoExtensions() +
                " (H.264 MP4 or animated WebP)");
}

void checkVideoOutput(const std::string& path)
{
    checkOutputFolder(path);  // first: a folder's name has no extension to complain about
    const VideoFormat format = videoFormatOf(path);
    if (format == VideoFormat::Mp4 && !findH264Encoder())
        throwNoH264Encoder(path);
}

VideoWriter::VideoWriter(const std::string& path, int width, int height, VideoSettings settings)
    : path_(path), width_(width), height_(height)
{
    checkOutputFolder(path);  // first: a folder's name has no extension to complain about
    const VideoFormat format = videoFormatOf(path);
    if (width < 1 || height < 1 || width > kMaxVideoSide || height > kMaxVideoSide)
        throw Error(path + ": a video frame must be between 1 and " + std::to_string(kMaxVideoSide) +
                    " pixels wide and high, not " + std::to_string(width) + "x" + std::to_string(height));
    if (settings.fps < kMinVideoFps || settings.fps > kMaxVideoFps)
        throw Error(path + ": the frame rate must be between " + std::to_string(kMinVideoFps) + " and " +
                    std::to_string(kMaxVideoFps) + " frames a second, not " + std::to_string(settings.fps));
    if (format == VideoFormat::Mp4)
        encoder_ = std::make_unique<Mp4Encoder>(path, width, height, settings.fps);
    else
        encoder_ = std::make_unique<WebPEncoder>(path, width, height, settings.fps, settings.lossless);
}

VideoWriter::~VideoWriter() = default;

void VideoWriter::addFrame(const uint8_t* rgb)
{
    if (!open_)
        throw Error(path_ + ": the video was already finished or cancelled; it takes no more frames");
    encoder_->add(rgb, frames_);
    ++frames_;
}

void VideoWriter::addFrame(const std::vector<uint8_t>& rgb)
{
    const size_t expected = static_cast<size_t>(width_) * height_ * 3;
    if (rgb.size() != expected)
        throw Error(path_ + ": a frame of " + std::to_string(rgb.size()) + " bytes for a " + std::to_string(width_) +
                    "x" + std::to_string(height_) + " RGB video, which needs " + std::to_string(expected));
    addFrame(rgb.data());
}

void VideoWriter::finish()
{
    if (!open_)
        throw Error(path_ + ": the video was already finished or cancelled");
    if (frames_ == 0)
        throw Error(path_ + ": a video needs at least one frame; nothing was written");
    open_ = false;
    const std::string bytes = encoder_->finish(frames_);
    encoder_.reset();
    writeFileAtomically(path_, bytes, "video");
}

void VideoWriter::cancel()
{
    open_ = false;
    encoder_.reset();
}

int VideoWriter::frameCount() const { return frames_; }

int VideoWriter::encodedWidth() const { return videoFormatOf(path_) == VideoFormat::Mp4 ? even(width_) : width_; }

int VideoWriter::encodedHeight() const
{
    return videoFormatOf(path_) == VideoFormat::Mp4 ? even(height_) : height_;
}

// ---------------------------------------------------------------------------------------------
// Reading back: WebP through WebPDemux (times) and WebPAnimDecoder (pixels), MP4 through
// libavformat's MP4 demuxer and libavcodec.

namespace {

std::string noSuchFrame(const std::string& path, int64_t frames, int index)
{
    return path + ": has " + std::to_string(frames) + (frames == 1 ? " frame" : " frames") + ", no frame " +
           std::to_string(index);
}

bool isWebPFile(const std::string& path)
{
    internal::refuseNonRegularFile(path);
    std::error_code code;
    if (!fs::exists(path, code))
        throw Error(path + ": no such file");
    std::string head(kWebPSignatureBytes, '\0');
    FILE* file = std::fopen(path.c_str(), "rb");
    if (!file)
        throw Error(path + ": cannot open it for reading (check the permissions)");
    const size_t got = std::fread(head.data(), 1, head.size(), file);
    std::fclose(file);
    return got == head.size() && head.compare(0, 4, "RIFF") == 0 && head.compare(8, 4, "WEBP") == 0;
}

struct DemuxDelete {
    void operator()(WebPDemuxer* demuxer) const { WebPDemuxDelete(demuxer); }
};
struct AnimDecoderDelete {
    void operator()(WebPAnimDecoder* decoder) const { WebPAnimDecoderDelete(decoder); }
};

VideoInfo readWebPInfo(const std::string& path)
{
    const std::string bytes = internal::readFileBytes(path, kMaxVideoFileBytes);
    const WebPData data{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
    std::unique_ptr<WebPDemuxer, DemuxDelete> demuxer(WebPDemux(&data));
    if (!demuxer)
        throw Error(path + ": not a readable WebP file (damaged or cut short)");
    VideoInfo info;
    info.format = VideoFormat::WebP;
    info.width = static_cast<int>(WebPDemuxGetI(demuxer.get(), WEBP_FF_CANVAS_WIDTH));
    info.height = static_cast<int>(WebPDemuxGetI(demuxer.get(), WEBP_FF_CANVAS_HEIGHT));
    info.frames = static_cast<int>(WebPDemuxGetI(demuxer.get(), WEBP_FF_FRAME_COUNT));
    int totalMs = 0;
    WebPIterator frame;
    if (WebPDemuxGetFrame(demuxer.get(), 1, &frame)) {
        do
            totalMs += frame.duration;
        while (WebPDemuxNextFrame(&frame));
        WebPDemuxReleaseIterator(&frame);
    }
    info.seconds = totalMs / 1000.0;
    info.fps = totalMs > 0 ? info.frames / info.seconds : 0.0;
    return info;
}

std::vector<uint8_t> readWebPFrame(const std::string& path, int index)
{
    const std::string bytes = internal::readFileBytes(path, kMaxVideoFileBytes);
    const WebPData data{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
    WebPAnimDecoderOptions options;
    if (!WebPAnimDecoderOptionsInit(&options))
        throw Error(path + ": this libwebp does not match the version it was built against");
    options.color_mode = MODE_RGBA;  // the animation decoder gives RGBA, not RGB
    options.use_threads = 0;
    std::unique_ptr<WebPAnimDecoder, AnimDecoderDelete> decoder(WebPAnimDecoderNew(&data, &options));
    WebPAnimInfo info;
    if (!decoder || !WebPAnimDecoderGetInfo(decoder.get(), &info))
        throw Error(path + ": not a readable WebP file (damaged or cut short)");
    if (index < 0 || static_cast<uint32_t>(index) >= info.frame_count)
        throw Error(noSuchFrame(path, info.frame_count, index));
    uint8_t* rgba = nullptr;
    int timestamp = 0;
    for (int i = 0; i <= index; ++i)
        if (!WebPAnimDecoderGetNext(decoder.get(), &rgba, &timestamp))
            throw Error(path + ": frame " + std::to_string(i) + " cannot be decoded (the file is damaged)");
    const size_t pixels = static_cast<size_t>(info.canvas_width) * info.canvas_height;
    std::vector<uint8_t> rgb(pixels * 3);
    for (size_t p = 0; p < pixels; ++p)
        std::memcpy(&rgb[p * 3], rgba + p * 4, 3);
    return rgb;
}

/// An MP4 file opened for reading its one video stream.
class Mp4Reader {
public:
    explicit Mp4Reader(const std::string& path) : path_(path)
    {
        quietFFmpegLogs();
        // "file:" keeps libavformat to the file system: a name like "http://..." is a file here.
        const std::string url = "file:" + path;
        AVFormatContext* format = nullptr;
        if (const int code = avformat_open_input(&format, url.c_str(), av_find_input_format("mp4"), nullptr);
            code < 0)
            fail("not a readable MP4 or WebP video", code);
        format_.reset(format);
        if (const int code = avformat_find_stream_info(format, nullptr); code < 0)
            fail("its streams cannot be read", code);
        const AVCodec* decoder = nullptr;
        stream_ = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
        if (stream_ < 0 || !decoder)
            fail("holds no video stream this FFmpeg can decode", stream_ < 0 ? stream_ : AVERROR_DECODER_NOT_FOUND);
        codec_.reset(avcodec_alloc_context3(decoder));
        if (!codec_ || !frame_ || !packet_)
            fail("out of memory", AVERROR(ENOMEM));
        if (const int code = avcodec_parameters_to_context(codec_.get(), format->streams[stream_]->codecpar); code < 0)
            fail("its video stream cannot be decoded", code);
        if (const int code = avcodec_open2(codec_.get(), decoder, nullptr); code < 0)
            fail("its video stream cannot be decoded", code);
    }

    const AVStream& stream() const { return *format_->streams[stream_]; }

    /// The packets of the video stream: one a frame.
    int countFrames()
    {
        int frames = 0;
        while (av_read_frame(format_.get(), packet_.get()) >= 0) {
            if (packet_->stream_index == stream_)
                ++frames;
            av_packet_unref(packet_.get());
        }
        return frames;
    }

    /// The next frame in display order, or nullptr after the last.
    const AVFrame* nextFrame()
    {
        for (;;) {
            const int received = avcodec_receive_frame(codec_.get(), frame_.get());
            if (received == 0)
                return frame_.get();
            if (received == AVERROR_EOF)
                return nullptr;
            if (received != AVERROR(EAGAIN))
                fail("a frame cannot be decoded", received);
            if (ended_)
                return nullptr;
            const int read = av_read_frame(format_.get(), packet_.get());
            if (read == AVERROR_EOF) {
                ended_ = true;
                avcodec_send_packet(codec_.get(), nullptr);  // drain the frames the decoder holds
                continue;
            }
            if (read < 0)
                fail("reading a frame failed", read);
            if (packet_->stream_index == stream_) {
                const int sent = avcodec_send_packet(codec_.get(), packet_.get());
                av_packet_unref(packet_.get());
                if (sent < 0)
                    fail("a frame cannot be decoded", sent);
            } else {
                av_packet_unref(packet_.get());
            }
        }
    }

    [[noreturn]] void fail(const std::string& what, int code) const
    {
        throw Error(path_ + ": " + what + " (" + ffmpegMessage(code) + ")");
    }

private:
    std::string path_;
    std::unique_ptr<AVFormatContext, InputContextClose> format_;
    std::unique_ptr<AVCodecContext, CodecContextFree> codec_;
    FramePtr frame_{av_frame_alloc()};
    PacketPtr packet_{av_packet_alloc()};
    int stream_ = -1;
    bool ended_ = false;
};

VideoInfo readMp4Info(const std::string& path)
{
    Mp4Reader reader(path);
    const AVStream& stream = reader.stream();
    VideoInfo info;
    info.format = VideoFormat::Mp4;
    info.width = stream.codecpar->width;
    info.height = stream.codecpar->height;
    const AVRational rate = stream.avg_frame_rate.num > 0 ? stream.avg_frame_rate : stream.r_frame_rate;
    info.fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0.0;
    info.seconds = stream.duration != AV_NOPTS_VALUE ? stream.duration * av_q2d(stream.time_base) : 0.0;
    info.frames = reader.countFrames();
    return info;
}

/// YUV as the file's tags say (BT.709 for HD, else BT.601) to full-range RGB.
std::vector<uint8_t> toRgb(const AVFrame& frame, const std::string& path)
{
    std::unique_ptr<SwsContext, ScaleContextFree> toRgb(
        sws_getContext(frame.width, frame.height, static_cast<AVPixelFormat>(frame.format), frame.width, frame.height,
                       AV_PIX_FMT_RGB24, SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr, nullptr,
                       nullptr));
    if (!toRgb)
        throw Error(path + ": its frames' pixel format cannot be converted to RGB");
    const int* coefficients = sws_getCoefficients(frame.colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT);
    sws_setColorspaceDetails(toRgb.get(), coefficients, frame.color_range == AVCOL_RANGE_JPEG ? 1 : 0, coefficients,
                             1, 0, 1 << 16, 1 << 16);
    const size_t bytes = static_cast<size_t>(frame.width) * frame.height * 3;
    // Slack past the end: swscale's vector code may write a few bytes beyond an unaligned row.
    std::vector<uint8_t> rgb(bytes + 64);
    uint8_t* planes[1] = {rgb.data()};
    const int strides[1] = {frame.width * 3};
    sws_scale(toRgb.get(), frame.data, frame.linesize, 0, frame.height, planes, strides);
    rgb.resize(bytes);
    return rgb;
}

std::vector<uint8_t> readMp4Frame(const std::string& path, int index)
{
    if (index < 0)
        throw Error(path + ": no frame " + std::to_string(index));
    Mp4Reader reader(path);
    for (int i = 0;; ++i) {
        const AVFrame* frame = reader.nextFrame();
        if (!frame)
            throw Error(noSuchFrame(path, i, index));
        if (i == index)
            return toRgb(*frame, path);
    }
}

}  // namespace

VideoInfo readVideoInfo(const std::string& path)
{
    return isWebPFile(path) ? readWebPInfo(path) : readMp4Info(path);
}

std::vector<uint8_t> readVideoFrame(const std::string& path, int index)
{
    return isWebPFile(path) ? readWebPFrame(path, index) : readMp4Frame(path, index);
}

}  // namespace ebm
