#pragma once
// A small declarative option parser for the ebm subcommands: every option is declared with
// its help text, so --help and the parser cannot drift apart.
#include <map>
#include <string>
#include <vector>

namespace ebm::cli {

/// Thrown once --help has been printed: the command ends there, successfully.
struct HelpShown {};

class CliArgs {
public:
    CliArgs(std::string command, std::string summary);

    /// Declares --name VALUE with a default ("" = none) and help text.
    CliArgs& option(const std::string& name, const std::string& defaultValue, const std::string& help);
    /// Declares a boolean --name.
    CliArgs& flag(const std::string& name, const std::string& help);
    /// Declares options from a table, one per line, as --help prints them:
    ///   --name=DEFAULT  help      an option with a value (DEFAULT may be empty)
    ///   --name          help      a flag
    /// A line that starts with blanks continues the help of the line above.
    CliArgs& options(const std::string& table);

    /// Parses argv after the subcommand; throws ebm::Error on unknown options or missing values,
    /// and HelpShown after printing the help for --help.
    void parse(int argc, char** argv);

    std::string text(const std::string& name) const;
    /// Whole numbers; a value that is not one, or does not fit, is refused naming the option.
    int integer(const std::string& name) const;
    long long longInteger(const std::string& name) const;
    /// A whole number in [lowest, highest], else an error that names the option and the range.
    long long integerIn(const std::string& name, long long lowest, long long highest) const;
    double real(const std::string& name) const;
    bool isSet(const std::string& name) const;   // flag given, or option given explicitly
    std::string helpText() const;

private:
    struct Spec {
        std::string defaultValue;
        std::string help;
        bool isFlag = false;
    };
    std::string command_, summary_;
    std::vector<std::string> order_;
    std::map<std::string, Spec> specs_;
    std::map<std::string, std::string> values_;
};

/// A one-line progress bar with ETA on a terminal; silent when stderr is not a terminal.
class ProgressBar {
public:
    explicit ProgressBar(std::string label);
    void update(double fraction, const std::string& detail, double etaSeconds);
    void finish();

private:
    std::string label_;
    bool active_;
    double lastDraw_ = -1.0;
};


}  // namespace ebm::cli
