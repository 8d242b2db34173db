#pragma once
// JSON5 with line numbers, as eas-cli reads eas.json (JSON first, then JSON5 through golden-fleece:
// comments, trailing commas, unquoted keys, single-quoted strings, hex numbers, +/-Infinity, NaN).
// Every value and key keeps the line it starts on, so findings can point at it. Any bytes in,
// never a crash: nesting is bounded and errors carry their line and column.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ota::json5 {

struct Value {
  enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
  bool boolean = false;
  double number = 0;
  std::string text;  // string value (or the number as written)
  std::vector<Value> items;                              // array
  std::vector<std::pair<std::string, Value>> members;    // object, in order; duplicates kept
  std::vector<int> key_lines;                            // line of each member's key
  int line = 0;
  int col = 0;

  // Declared here, defined in json5.cpp where Value is complete: clang (libFuzzer builds,
  // tests/fuzz) refuses to instantiate std::pair<std::string, Value> while Value is incomplete.
  Value();
  ~Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;

  // The last member named `key` (JSON.parse keeps the last duplicate), or nullptr.
  const Value* get(std::string_view key) const;
  int key_line(std::string_view key) const;  // line of that member's key, 0 if absent
  bool is_object() const { return kind == Kind::object; }
  bool is_string() const { return kind == Kind::string; }
};

struct Error {
  int line = 0;
  int col = 0;
  std::string message;
};

struct Parsed {
  std::optional<Value> value;
  Error error;  // when !value
};

constexpr int kMaxDepth = 200;

Parsed parse(std::string_view text);

}  // namespace ota::json5
