#pragma once
// Text that came from outside (eas output, eas.json, commit messages) made safe to show: valid
// UTF-8, no control characters, never a workflow command at the start of a line, bounded length.
#include <string>
#include <string_view>

namespace ota {

// One line for a log or an error message: valid UTF-8, control characters (ESC, NUL, CR, LF, ...)
// shown as \xNN, a leading "::" defused (the Actions runner executes such lines), secrets
// redacted, then cut at `max` bytes on a character boundary with "…" appended.
std::string shown(std::string_view text, size_t max = 300);

}  // namespace ota
