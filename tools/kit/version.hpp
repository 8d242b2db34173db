#pragma once
namespace kit {
extern const char* const kVersion;
extern const char* const kGitCommit;
}  // namespace kit
