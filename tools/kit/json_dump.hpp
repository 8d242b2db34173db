#pragma once
// The --json result as text: byte for byte what nlohmann's dump(2, ' ', false, replace) writes,
// faster on large results (thousands of lint findings), where nlohmann's serializer runs its
// UTF-8 decoder over every byte of every string.
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace kit {

std::string dump_pretty(const nlohmann::json& value);

}  // namespace kit
