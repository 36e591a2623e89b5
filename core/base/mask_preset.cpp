#include "ebm/base/mask_preset.h"

#include <locale>
#include <random>
#include <sstream>

#include "ebm/base/error.h"

namespace ebm {
namespace {

constexpr const char* kRandomPrefix = "random:";

/// The fraction of "random:FRACTION", read the same whatever the process's locale is (the
/// studio runs under the person's locale, where the decimal mark may be a comma).
double randomFraction(const std::string& spec)
{
    const std::string text = spec.substr(std::char_traits<char>::length(kRandomPrefix));
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    double fraction = -1.0;
    in >> fraction;
    const bool whole = !in.fail() && in.peek() == std::char_traits<char>::eof();
    if (text.empty() || !whole || !(fraction >= 0.0 && fraction <= 1.0))
        throw Error("random:FRACTION needs a fraction between 0 and 1, not '" + text + "'");
    return fraction;
}

/// Each pixel generated with probability `fraction`. The uniform double takes the top 53 bits of
/// one draw, which (unlike std::uniform_real_distribution) every standard library computes alike.
void fillRandom(std::vector<uint8_t>& pixels, double fraction, uint64_t seed)
{
    std::mt19937_64 generator(seed);
    for (uint8_t& pixel : pixels) {
        const double uniform = double(generator() >> 11) * 0x1.0p-53;  // [0, 1)
        pixel = uniform < fraction ? 1 : 0;
    }
}

}  // namespace

bool isPresetMask(const std::string& spec)
{
    return spec == "left" || spec == "right" || spec == "top" || spec == "bottom" || spec == "centre" ||
           spec == "center" || spec.rfind(kRandomPrefix, 0) == 0;
}

std::vector<uint8_t> presetMaskPixels(const std::string& spec, int size, uint64_t seed)
{
    if (size < 1)
        throw Error("a mask needs a positive size, not " + std::to_string(size));
    const size_t side = size_t(size), half = side / 2, quarter = side / 4;
    std::vector<uint8_t> pixels(side * side, 0);
    // The halves and the centre generate one rectangle: rows [top, bottom), columns [left, right).
    size_t top = 0, bottom = side, left = 0, right = side;
    if (spec == "right")
        left = half;
    else if (spec == "left")
        right = half;
    else if (spec == "bottom")
        top = half;
    else if (spec == "top")
        bottom = half;
    else if (spec == "centre" || spec == "center") {
        top = left = quarter;
        bottom = right = side - quarter;
    } else if (spec.rfind(kRandomPrefix, 0) == 0) {
        fillRandom(pixels, randomFraction(spec), seed);
        return pixels;
    } else {
        throw Error("unknown mask '" + spec + "': use left, right, top, bottom, centre, random:FRACTION or a mask PNG");
    }
    for (size_t row = top; row < bottom; ++row)
        for (size_t column = left; column < right; ++column)
            pixels[row * side + column] = 1;
    return pixels;
}

}  // namespace ebm
