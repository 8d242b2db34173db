#include "kit/report.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "kit/log.hpp"
#include "kit/secrets.hpp"

namespace kit {

std::string escape_command_data(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string escape_command_property(std::string_view text) {
  std::string out;
  for (char c : escape_command_data(text)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string format_annotation(Severity severity, std::string_view message, const Location& where) {
  static const char* names[] = {"error", "warning", "notice"};
  std::string props;
  auto add = [&](const char* key, const std::string& value) {
    props += (props.empty() ? " " : ",") + std::string(key) + "=" + escape_command_property(value);
  };
  if (!where.file.empty()) add("file", where.file);
  if (where.line > 0) add("line", std::to_string(where.line));
  if (where.end_line > 0) add("endLine", std::to_string(where.end_line));
  if (where.col > 0) add("col", std::to_string(where.col));
  if (!where.title.empty()) add("title", where.title);
  return "::" + std::string(names[static_cast<int>(severity)]) + props + "::" + escape_command_data(message);
}

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
    std::string out;
    for (char c : text) {
      if (c == '|') out += "\\|";
      else if (c == '\n' || c == '\r') out += ' ';
      else out += c;
    }
    return out;
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
  std::vector<std::pair<std::string, std::string>> outputs;
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

void Report::output(const std::string& name, const std::string& value) {
  std::string clean = secrets().redact(value);
  for (auto& [n, v] : state_->outputs)
    if (n == name) {
      v = clean;
      return;
    }
  state_->outputs.emplace_back(name, clean);
}

void Report::summary(const std::string& markdown) { state_->summary += secrets().redact(markdown); }

void Report::annotate(Severity severity, const std::string& message, const Location& where) {
  std::string clean = secrets().redact(message);
  static const char* names[] = {"error", "warning", "notice"};
  nlohmann::json a = {{"severity", names[static_cast<int>(severity)]}, {"message", clean}};
  if (!where.file.empty()) a["file"] = where.file;
  if (where.line > 0) a["line"] = where.line;
  if (where.col > 0) a["col"] = where.col;
  if (!where.title.empty()) a["title"] = where.title;
  state_->annotations.push_back(a);
  if (state_->actions) {
    // Workflow commands are read from stdout; with --json, stdout is reserved for the result.
    auto& stream = state_->json_mode ? std::cerr : std::cout;
    stream << format_annotation(severity, clean, where) << std::endl;
  } else {
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

void Report::result(const std::string& key, const nlohmann::json& value) {
  // Redacted through its text, so a secret is caught wherever it sits; parsed back only when the
  // redaction changed something (a large result, e.g. thousands of lint findings, costs a parse).
  std::string text = value.dump();
  std::string clean = secrets().redact(text);
  state_->result[key] = clean == text ? value : nlohmann::json::parse(clean);
}

void Report::finish(Exit code, const std::string& headline, const std::string& hint) {
  auto& s = *state_;
  std::string clean_headline = secrets().redact(headline);
  std::string clean_hint = secrets().redact(hint);
  if (auto path = s.env.get("GITHUB_OUTPUT")) {
    std::ofstream out(*path, std::ios::app);
    for (const auto& [name, value] : s.outputs) out << format_output_entry(name, value);
    if (!out) log::warn("could not write step outputs to " + *path);
  }
  if (auto path = s.env.get("GITHUB_STEP_SUMMARY"); path && !s.summary.empty()) {
    std::ofstream out(*path, std::ios::app);
    // GitHub caps a step summary at 1 MiB; keep well under it rather than lose the whole summary.
    constexpr size_t cap = 900 * 1024;
    if (s.summary.size() > cap) s.summary = s.summary.substr(0, cap) + "\n\n_(summary truncated)_\n";
    out << s.summary << "\n";
    if (!out) log::warn("could not write the step summary to " + *path);
  }
  if (s.json_mode) {
    nlohmann::json j = s.result;
    j["tool"] = s.tool;
    j["exit_code"] = static_cast<int>(code);
    j["ok"] = code == Exit::ok;
    j["message"] = clean_headline;
    if (!clean_hint.empty()) j["hint"] = clean_hint;
    nlohmann::json outs = nlohmann::json::object();
    for (const auto& [name, value] : s.outputs) outs[name] = value;
    j["outputs"] = outs;
    if (!s.annotations.empty()) j["annotations"] = s.annotations;
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  }
}

}  // namespace kit
