// --expect-body over PCRE2. The interpreter (not the JIT) is used on purpose: it keeps its
// backtracking state on the heap and honours every limit set below, so a costly pattern on a
// 1 MiB body ends with a clear "gave up" instead of a crash or a runaway probe.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "health-gate/checks.hpp"
#include "kit/error.hpp"
#include "kit/text.hpp"

namespace health_gate {
namespace {

// Enough for any sensible health-check pattern on a 1 MiB body (a literal or an anchored run
// takes a handful of steps per byte); catastrophic backtracking hits it in well under a second.
constexpr uint32_t kMatchLimit = 10'000'000;
// Backtracking memory per match, in KiB; the probe's memory stays bounded whatever the pattern.
constexpr uint32_t kHeapLimitKiB = 16 * 1024;

std::string error_text(int code) {
  PCRE2_UCHAR buffer[256];
  int n = pcre2_get_error_message(code, buffer, sizeof buffer);
  return n < 0 ? "PCRE2 error " + std::to_string(code) : std::string(reinterpret_cast<char*>(buffer), static_cast<size_t>(n));
}

}  // namespace

struct BodyPattern::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

BodyPattern BodyPattern::compile(const std::string& pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UTF so that '.' is one character of a UTF-8 body; MATCH_INVALID_UTF so a body that is not
  // valid UTF-8 (binary, or cut at the size limit mid-character) is still searched safely.
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (!code)
    throw kit::usage_error("--expect-body: '" + kit::quote_value(pattern) + "' is not a valid regular expression: " + error_text(error) +
                           " at offset " + std::to_string(offset));
  auto compiled = std::make_shared<Compiled>();
  compiled->code = code;
  BodyPattern p;
  p.compiled_ = std::move(compiled);
  p.text_ = pattern;
  return p;
}

BodyPattern::Result BodyPattern::search(std::string_view body) const {
  // Match data and context per search: judge() may run on several threads at once.
  std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)> context(pcre2_match_context_create(nullptr),
                                                                                    pcre2_match_context_free);
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(compiled_->code, nullptr), pcre2_match_data_free);
  if (!context || !data) return {Outcome::gave_up, "out of memory"};
  pcre2_set_match_limit(context.get(), kMatchLimit);
  pcre2_set_heap_limit(context.get(), kHeapLimitKiB);
  int rc = pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(body.data()), body.size(), 0, 0, data.get(),
                       context.get());
  if (rc >= 0) return {Outcome::match, {}};
  if (rc == PCRE2_ERROR_NOMATCH) return {Outcome::no_match, {}};
  if (rc == PCRE2_ERROR_MATCHLIMIT)
    return {Outcome::gave_up, "the pattern backtracked past the match limit (" + std::to_string(kMatchLimit) + " steps)"};
  if (rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_NOMEMORY)
    return {Outcome::gave_up, "the pattern needed more than " + std::to_string(kHeapLimitKiB / 1024) + " MiB to match"};
  return {Outcome::gave_up, error_text(rc)};
}

}  // namespace health_gate
