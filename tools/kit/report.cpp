#include "kit/report.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "kit/json_dump.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace kit {

std::string format_output_entry(const std::string& name, const std::string& value) {
  if (value.find('\n') == std::string::npos && value.find('\r') == std::string::npos) return name + "=" + value + "\n";
  std::string delimiter;
  do {
    unsigned char bytes[12];
    RAND_bytes(bytes, sizeof bytes);
    delimiter = "ghadelimiter_";
    static const char hex[] = "0123456789abcdef";
    for (unsigned char b : bytes) {
      delimiter += hex[b >> 4];
      delimiter += hex[b & 15];
    }
  } while (value.find(delimiter) != std::string::npos);
  return name + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n";
}

std::string markdown_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  auto cell = [](const std::string& text) {
    if (std::none_of(text.begin(), text.end(), [](char c) { return c == '|' || c == '\n' || c == '\r'; })) return valid_utf8(text);
    std::string out;
    for (char c : text) {
      if (c == '|') out += "\\|";
      else if (c == '\n' || c == '\r') out += ' ';
      else out += c;
    }
    return valid_utf8(out);
  };
  std::string out = "|";
  for (const auto& h : header) out += " " + cell(h) + " |";
  out += "\n|";
  for (size_t i = 0; i < header.size(); ++i) out += " --- |";
  out += "\n";
  for (const auto& row : rows) {
    out += "|";
    for (const auto& c : row) out += " " + cell(c) + " |";
    out += "\n";
  }
  return out;
}

struct Report::State {
  const Env& env;
  std::string tool;
  bool json_mode;
  bool actions;
  // name -> value as JSON (string, boolean, number or array of strings), in the order first set.
  std::vector<std::pair<std::string, nlohmann::json>> outputs;
  std::string summary;
  nlohmann::json result = nlohmann::json::object();
  nlohmann::json annotations = nlohmann::json::array();
};

Report::Report(const Env& env, std::string tool, bool json_mode)
    : state_(new State{env, std::move(tool), json_mode, env.in_github_actions(), {}, {}, nlohmann::json::object(),
                       nlohmann::json::array()}) {}

Report::~Report() = default;

bool Report::json_mode() const { return state_->json_mode; }
bool Report::in_actions() const { return state_->actions; }

namespace {

// Every string inside a JSON value redacted; the value's shape kept. (Redacting the dumped text
// would miss a secret whose JSON form is escaped, and dump() throws on invalid UTF-8.)
nlohmann::json redact_json(const nlohmann::json& value) {
  if (value.is_string()) return secrets().redact(value.get_ref<const std::string&>());
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(redact_json(item));
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[secrets().redact(key)] = redact_json(item);
    return out;
  }
  return value;
}

// redact_json in place: the same result without rebuilding the value (3,000 lint findings made
// a copy of every string and every object). Only what redaction changes is rewritten.
void redact_json_in_place(nlohmann::json& value) {
  if (value.is_string()) {
    auto& text = value.get_ref<std::string&>();
    if (secrets().may_redact(text)) text = secrets().redact(text);
  } else if (value.is_array()) {
    for (auto& item : value) redact_json_in_place(item);
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items())
      if (secrets().may_redact(key)) {
        value = redact_json(value);  // a key changes: rebuild this object as redact_json does
        return;
      }
    for (auto& [key, item] : value.items()) redact_json_in_place(item);
  }
}

// The text form of an output value in $GITHUB_OUTPUT.
std::string output_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) out += (out.empty() ? "" : "\n") + (item.is_string() ? item.get<std::string>() : item.dump());
    return out;
  }
  return value.dump();
}

void set_output(std::vector<std::pair<std::string, nlohmann::json>>& outputs, const std::string& name, nlohmann::json value) {
  for (auto& [n, v] : outputs)
    if (n == name) {
      v = std::move(value);
      return;
    }
  outputs.emplace_back(name, std::move(value));
}

}  // namespace

void Report::output(const std::string& name, const std::string& value) { set_output(state_->outputs, name, secrets().redact(value)); }
void Report::output(const std::string& name, bool value) { set_output(state_->outputs, name, value); }
void Report::output_integer(const std::string& name, long long value) { set_output(state_->outputs, name, value); }
void Report::output(const std::string& name, double value) { set_output(state_->outputs, name, value); }
void Report::output(const std::string& name, const std::vector<std::string>& items) {
  nlohmann::json list = nlohmann::json::array();
  // One item per line in $GITHUB_OUTPUT: an item must not carry a line break of its own.
  for (const auto& item : items) {
    std::string clean = secrets().redact(item);
    for (auto& c : clean)
      if (c == '\n' || c == '\r') c = ' ';
    list.push_back(clean);
  }
  set_output(state_->outputs, name, std::move(list));
}

void Report::print(std::string_view line) {
  if (state_->json_mode) return;
  std::cout << escape_line(secrets().redact(line)) << "\n";
}

bool Report::wants_summary() const { return state_->env.get("GITHUB_STEP_SUMMARY").has_value(); }

void Report::summary(const std::string& markdown) { state_->summary += secrets().redact(markdown); }

void Report::annotate(Severity severity, const std::string& message, const Location& where) { record(severity, message, where, true); }

void Report::annotate_verdict(Severity severity, const std::string& message, const Location& where) {
  record(severity, message, where, false);
}

void Report::record(Severity severity, const std::string& message, const Location& where, bool log_outside_actions) {
  std::string clean = secrets().redact(message);
  static const char* names[] = {"error", "warning", "notice"};
  nlohmann::json a = {{"severity", names[static_cast<int>(severity)]}, {"message", clean}};
  if (!where.file.empty()) a["file"] = where.file;
  if (where.line > 0) a["line"] = where.line;
  if (where.col > 0) a["col"] = where.col;
  if (!where.title.empty()) a["title"] = where.title;
  state_->annotations.push_back(std::move(a));
  if (state_->actions) {
    // Workflow commands are read from stdout; with --json, stdout is reserved for the result.
    auto& stream = state_->json_mode ? std::cerr : std::cout;
    stream << format_annotation(severity, clean, where) << std::endl;
  } else if (log_outside_actions) {
    std::string place = where.file.empty() ? "" : where.file + (where.line > 0 ? ":" + std::to_string(where.line) : "") +
                                                      (where.col > 0 ? ":" + std::to_string(where.col) : "") + ": ";
    if (severity == Severity::error) log::error(place + clean);
    else if (severity == Severity::warning) log::warn(place + clean);
    else log::info(place + clean);
  }
}

void Report::group_begin(const std::string& name) {
  if (state_->actions) (state_->json_mode ? std::cerr : std::cout) << "::group::" << escape_command_data(secrets().redact(name)) << std::endl;
}

void Report::group_end() {
  if (state_->actions) (state_->json_mode ? std::cerr : std::cout) << "::endgroup::" << std::endl;
}

void Report::result(const std::string& key, const nlohmann::json& value) { result(key, nlohmann::json(value)); }

void Report::result(const std::string& key, nlohmann::json&& value) {
  redact_json_in_place(value);
  state_->result[key] = std::move(value);
}

void Report::finish(Exit code, const std::string& headline, const std::string& hint) {
  auto& s = *state_;
  std::string clean_headline = secrets().redact(headline);
  std::string clean_hint = secrets().redact(hint);
  if (auto path = s.env.get("GITHUB_OUTPUT")) {
    std::ofstream out(*path, std::ios::app);
    for (const auto& [name, value] : s.outputs) out << format_output_entry(name, valid_utf8(output_text(value)));
    if (!out) log::warn("could not write step outputs to " + *path);
  }
  if (auto path = s.env.get("GITHUB_STEP_SUMMARY"); path && !s.summary.empty()) {
    std::ofstream out(*path, std::ios::app);
    // GitHub caps a step summary at 1 MiB; keep well under it rather than lose the whole summary.
    constexpr size_t cap = 900 * 1024;
    if (s.summary.size() > cap) s.summary = std::string(utf8_prefix(s.summary, cap)) + "\n\n_(summary truncated)_\n";
    out << valid_utf8(s.summary) << "\n";
    if (!out) log::warn("could not write the step summary to " + *path);
  }
  if (s.json_mode) {
    // finish() runs once, last: the result and the annotations are moved, not copied.
    nlohmann::json j = std::move(s.result);
    j["tool"] = s.tool;
    j["exit_code"] = static_cast<int>(code);
    j["ok"] = code == Exit::ok;
    j["message"] = clean_headline;
    if (!clean_hint.empty()) j["hint"] = clean_hint;
    nlohmann::json outs = nlohmann::json::object();
    for (const auto& [name, value] : s.outputs) outs[name] = value;  // typed, as set
    j["outputs"] = outs;
    if (!s.annotations.empty()) j["annotations"] = std::move(s.annotations);
    std::cout << dump_pretty(j) << std::endl;  // = j.dump(2, ' ', false, replace), faster
  }
}

}  // namespace kit
