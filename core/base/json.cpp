#include "ebm/base/json.h"

#include <algorithm>
#include <string>

namespace ebm {

Json parseJsonDocument(const std::string& text, const std::string& source)
{
    try {
        return Json::parse(text);
    } catch (const Json::parse_error& e) {
        // e.byte: 1-based offset of the character that broke the parse.
        const size_t end = std::min(text.size(), e.byte > 0 ? static_cast<size_t>(e.byte - 1) : size_t(0));
        size_t line = 1, column = 1;
        for (size_t i = 0; i < end; ++i) {
            column = text[i] == '\n' ? 1 : column + 1;
            line += text[i] == '\n' ? 1 : 0;
        }
        // The detail after nlohmann's "[json.exception.parse_error.101] parse error at line L, column C: ".
        std::string detail = e.what();
        if (const size_t colon = detail.find(": "); colon != std::string::npos)
            detail = detail.substr(colon + 2);
        if (const size_t newline = detail.find('\n'); newline != std::string::npos)
            detail.resize(newline);
        std::string cause;
        const bool utf16 = text.size() >= 2 && ((text[0] == '\xFF' && text[1] == '\xFE') ||
                                                (text[0] == '\xFE' && text[1] == '\xFF') || text[1] == '\0');
        // The token where the parse stopped starts at most a few characters before `end`.
        const std::string near = text.substr(end >= 9 ? end - 9 : 0, 20);
        if (utf16)
            cause = "; the file is UTF-16 (it starts with a byte order mark or zero bytes): save it as UTF-8";
        else if (near.find("NaN") != std::string::npos || near.find("nan") != std::string::npos ||
                 near.find("Infinity") != std::string::npos || near.find("inf") != std::string::npos)
            cause = "; JSON has no NaN or Infinity: write a finite number (or null where one is allowed)";
        throw Error(source + ": not valid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) +
                    " (" + detail + ")" + cause);
    } catch (const Json::exception& e) {
        // Not only parse errors: a number too large for a double ("1e999") is out_of_range.
        std::string detail = e.what();
        const size_t bracket = detail.find("] ");
        if (detail.rfind("[json.exception", 0) == 0 && bracket != std::string::npos)
            detail = detail.substr(bracket + 2);
        throw Error(source + ": not valid JSON (" + detail + ")");
    }
}

}  // namespace ebm
