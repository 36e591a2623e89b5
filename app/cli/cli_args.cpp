#include "cli_args.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>

#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"

namespace ebm::cli {
namespace {

/// Whether `value` is written as a whole number: digits, after an optional sign.
bool writtenAsWholeNumber(const std::string& value)
{
    const size_t first = !value.empty() && (value[0] == '-' || value[0] == '+') ? 1 : 0;
    return value.size() > first && value.find_first_not_of("0123456789", first) == std::string::npos;
}

std::string numberText(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

Error outsideRange(const std::string& name, long long lowest, long long highest, const std::string& value)
{
    return Error("--" + name + " must be between " + std::to_string(lowest) + " and " + std::to_string(highest) +
                 ", not " + value);
}

}  // namespace

CliArgs::CliArgs(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary))
{
    flag("help", "show this help and exit");
}

CliArgs& CliArgs::option(const std::string& name, const std::string& defaultValue, const std::string& help)
{
    order_.push_back(name);
    specs_[name] = {defaultValue, help, false};
    return *this;
}

CliArgs& CliArgs::flag(const std::string& name, const std::string& help)
{
    order_.push_back(name);
    specs_[name] = {"", help, true};
    return *this;
}

void CliArgs::parse(int argc, char** argv)
{
    for (int i = 0; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("--", 0) != 0)
            throw Error("unexpected argument '" + arg + "' (see ebm " + command_ + " --help)");
        std::string name = arg.substr(2), value;
        const auto eq = name.find('=');
        const bool inlineValue = eq != std::string::npos;
        if (inlineValue) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        auto it = specs_.find(name);
        if (it == specs_.end())
            throw Error("unknown option --" + name + " (see ebm " + command_ + " --help)");
        if (it->second.isFlag) {
            values_[name] = "1";
        } else {
            if (!inlineValue) {
                if (i + 1 >= argc)
                    throw Error("option --" + name + " needs a value");
                value = argv[++i];
            }
            values_[name] = value;
        }
    }
    if (isSet("help")) {
        std::cout << helpText();
        throw HelpShown{};
    }
}

std::string CliArgs::text(const std::string& name) const
{
    auto it = values_.find(name);
    if (it != values_.end())
        return it->second;
    auto spec = specs_.find(name);
    return spec == specs_.end() ? std::string() : spec->second.defaultValue;
}

long long CliArgs::longInteger(const std::string& name) const
{
    const std::string value = text(name);
    try {
        size_t used = 0;
        long long v = std::stoll(value, &used);
        if (used == value.size())
            return v;
    } catch (const std::out_of_range&) {
        // 2^63 is a whole number, only too large: say so, with the number as written.
        if (writtenAsWholeNumber(value))
            throw outsideRange(name, std::numeric_limits<long long>::min(), std::numeric_limits<long long>::max(),
                               value);
    } catch (const std::invalid_argument&) {
    }
    throw Error("--" + name + " needs a whole number, got '" + value + "'");
}

int CliArgs::integer(const std::string& name) const
{
    return static_cast<int>(integerIn(name, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

long long CliArgs::integerIn(const std::string& name, long long lowest, long long highest) const
{
    // A whole number beyond 64 bits is outside this range too (not "not a whole number").
    if (const std::string written = text(name); writtenAsWholeNumber(written)) {
        try {
            (void)std::stoll(written);
        } catch (const std::out_of_range&) {
            throw outsideRange(name, lowest, highest, written);
        }
    }
    const long long value = longInteger(name);
    if (value < lowest || value > highest)
        throw outsideRange(name, lowest, highest, text(name));
    return value;
}

double CliArgs::real(const std::string& name) const
{
    const std::string value = text(name);
    try {
        size_t used = 0;
        double v = std::stod(value, &used);
        if (used == value.size() && std::isfinite(v))
            return v;
        if (used == value.size())  // "inf" or "nan": a number, but none a setting can take
            throw Error("--" + name + " needs a finite number, got '" + value + "'");
    } catch (const std::out_of_range&) {
        // A number all the same (1e-320 underflows, 1e999 overflows): say so, not "needs a number".
        throw Error("--" + name + " " + value + " is out of range: a number here is 0 or between " +
                    numberText(std::numeric_limits<double>::min()) + " and " +
                    numberText(std::numeric_limits<double>::max()) + " in size");
    } catch (const std::invalid_argument&) {
    }
    throw Error("--" + name + " needs a number, got '" + value + "'");
}

CliArgs& CliArgs::options(const std::string& table)
{
    std::istringstream lines(table);
    std::string lastName;
    for (std::string line; std::getline(lines, line);) {
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        if (line.rfind("--", 0) != 0) {  // continuation of the help above
            if (lastName.empty())
                throw std::logic_error("option table of ebm " + command_ + " starts with a continuation line");
            specs_[lastName].help += " " + line.substr(line.find_first_not_of(" \t"));
            continue;
        }
        const size_t nameEnd = line.find_first_of(" \t");
        const std::string declaration = line.substr(2, nameEnd - 2);
        const std::string help = nameEnd == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", nameEnd));
        const size_t equals = declaration.find('=');
        lastName = declaration.substr(0, equals);
        if (equals == std::string::npos)
            flag(lastName, help);
        else
            option(lastName, declaration.substr(equals + 1), help);
    }
    return *this;
}

bool CliArgs::isSet(const std::string& name) const { return values_.count(name) > 0; }

std::string CliArgs::helpText() const
{
    std::ostringstream out;
    out << "usage: ebm " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
    for (const auto& name : order_) {
        const Spec& spec = specs_.at(name);
        std::string left = "  --" + name + (spec.isFlag ? "" : " VALUE");
        out << left << std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') << spec.help;
        if (!spec.isFlag && !spec.defaultValue.empty())
            out << " [" << spec.defaultValue << "]";
        out << '\n';
    }
    return out.str();
}

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), active_(::isatty(STDERR_FILENO) != 0) {}

void ProgressBar::update(double fraction, const std::string& detail, double etaSeconds)
{
    if (!active_)
        return;
    constexpr double kRedrawStep = 0.001;
    if (fraction < 1.0 && std::abs(fraction - lastDraw_) < kRedrawStep)
        return;
    lastDraw_ = fraction;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * kWidth));
    std::fprintf(stderr, "\r%s [%s%s] %5.1f%%  %s  ETA %s   ", label_.c_str(), std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, '.').c_str(), 100.0 * fraction, detail.c_str(),
                 formatDuration(etaSeconds).c_str());
    std::fflush(stderr);
}

void ProgressBar::finish()
{
    if (active_)
        std::fprintf(stderr, "\n");
}

}  // namespace ebm::cli
