#include "kit/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace kit::log {
namespace {

// One JSON object per line, for log aggregators.
class JsonSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit JsonSink(std::string tool) : tool_(std::move(tool)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto t = std::chrono::system_clock::to_time_t(msg.time);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count() % 1000;
    char stamp[64];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    nlohmann::json line = {{"time", stamp},
                           {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                                 spdlog::level::to_string_view(msg.level).size())},
                           {"tool", tool_},
                           {"message", std::string(msg.payload.data(), msg.payload.size())}};
    std::cerr << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  void flush_() override { std::cerr.flush(); }

 private:
  std::string tool_;
};

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = std::make_shared<spdlog::logger>("kit", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    return l;
  }();
  return instance;
}

void write(spdlog::level::level_enum level, std::string_view message) {
  auto& l = logger();
  if (!l->should_log(level)) return;
  // Every message is one line whatever it quotes: a response body or a registry's error text
  // with "\n::error::..." (or ESC, NUL) must not start a line the runner executes or a terminal
  // obeys. Escaping here covers every tool.
  const auto& s = secrets();
  l->log(level, "{}", s.may_redact(message) ? escape_controls(s.redact(message)) : escape_controls(message));
}

}  // namespace

void init(std::string_view tool, Format format, Level level) {
  spdlog::sink_ptr sink;
  if (format == Format::json) sink = std::make_shared<JsonSink>(std::string(tool));
  else sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto l = std::make_shared<spdlog::logger>(std::string(tool), sink);
  if (format == Format::text) l->set_pattern(std::string(tool) + ": %^%l%$: %v");
  static const spdlog::level::level_enum map[] = {spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
                                                  spdlog::level::err, spdlog::level::off};
  l->set_level(map[static_cast<int>(level)]);
  l->flush_on(spdlog::level::trace);
  logger() = l;
}

void debug(std::string_view m) { write(spdlog::level::debug, m); }
void info(std::string_view m) { write(spdlog::level::info, m); }
void warn(std::string_view m) { write(spdlog::level::warn, m); }
void error(std::string_view m) { write(spdlog::level::err, m); }

}  // namespace kit::log
