#pragma once
// What the commands that run eas share: the eas setup from the options, validated names, and the
// way a plan's eas commands are shown.
#include <string>
#include <vector>

#include "kit/runtime.hpp"
#include "ota-publish/eas_call.hpp"
#include "ota-publish/eas_runner.hpp"

namespace ota::commands {

EasSetup eas_setup(const kit::Context& ctx);
std::string channel_arg(const kit::Args& args);
Platform platform_arg(const kit::Args& args);
// A group id given on our command line (--to-group, --expect-current): a UUID, else exit 2.
std::string group_arg(const kit::Args& args, const std::string& name);
std::optional<std::string> text_arg(const kit::Args& args, const std::string& name);  // a given, non-empty value

// Prints the commands (stdout when not --json) and records them in the result and summary.
void show_commands(kit::Context& ctx, const std::string& title, const std::vector<std::string>& program, const std::vector<EasCall>& calls);

}  // namespace ota::commands
