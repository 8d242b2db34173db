#include "pitr-restore/target.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "kit/duration.hpp"
#include "kit/error.hpp"
#include "kit/text.hpp"

namespace pitr_restore {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

const char* target_kind_name(TargetKind kind) {
  switch (kind) {
    case TargetKind::time: return "time";
    case TargetKind::restore_point: return "restore-point";
    case TargetKind::lsn: return "lsn";
    case TargetKind::before_migration: return "before-migration";
  }
  return "?";
}

Micros parse_time(std::string_view text, Micros now, std::string_view what) {
  auto bad = [&](const std::string& why) {
    return kit::usage_error(std::string(what) + ": '" + kit::quote_value(text, 80) + "' is not a time (" + why +
                            "; use RFC 3339 like 2026-11-28T23:10:00Z or a duration like '15m ago')");
  };
  std::string_view t = text;
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.empty()) throw bad("empty");
  if (t.size() > 4 && t.substr(t.size() - 4) == " ago") {
    std::string_view d = t.substr(0, t.size() - 4);
    while (!d.empty() && d.back() == ' ') d.remove_suffix(1);
    // Recovery windows reach weeks back (a monthly base backup and its WAL): up to a year ago.
    kit::Millis ms = kit::parse_duration(d, std::string(what) + " (TIME ago)", std::chrono::hours(366 * 24), true);
    return now - static_cast<Micros>(ms.count()) * 1000;
  }
  int y, mo, d, h, mi, s;
  if (!digits(t, 0, 4, y) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' || !digits(t, 8, 2, d) ||
      (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !digits(t, 11, 2, h) || t[13] != ':' || !digits(t, 14, 2, mi) ||
      t[16] != ':' || !digits(t, 17, 2, s))
    throw bad("expected YYYY-MM-DDTHH:MM:SS");
  size_t i = 19;
  Micros frac = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int n = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (n < 6) frac = frac * 10 + (t[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) throw bad("empty fraction of a second");
    for (int k = n; k < 6; ++k) frac *= 10;
  }
  if (i >= t.size()) throw bad("no UTC offset: add Z or +HH:MM");
  int offset_min = 0;
  if (t[i] == 'Z' || t[i] == 'z') {
    ++i;
  } else if (t[i] == '+' || t[i] == '-') {
    int oh, om = 0;
    int sign = t[i] == '-' ? -1 : 1;
    if (!digits(t, i + 1, 2, oh)) throw bad("bad UTC offset");
    i += 3;
    if (i < t.size() && t[i] == ':') ++i;
    if (i < t.size()) {
      if (!digits(t, i, 2, om)) throw bad("bad UTC offset");
      i += 2;
    }
    if (oh > 23 || om > 59) throw bad("bad UTC offset");
    offset_min = sign * (oh * 60 + om);
  } else {
    throw bad("unexpected '" + kit::quote_value(t.substr(i, 1), 80) + "'");
  }
  if (i != t.size()) throw bad("trailing text");
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) throw bad("no such date or time");
  if (s == 60) s = 59;  // a leap second is read as the last second of the minute
  Micros days = sys_days{ymd}.time_since_epoch().count();
  Micros secs = days * 86400 + h * 3600 + mi * 60 + s - offset_min * 60;
  return secs * 1'000'000 + frac;
}

namespace {
std::string civil(Micros t, char sep, const char* zone_suffix) {
  using namespace std::chrono;
  Micros secs = t >= 0 ? t / 1'000'000 : -((-t + 999'999) / 1'000'000);
  Micros frac = t - secs * 1'000'000;
  Micros days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  Micros rem = secs - days * 86400;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02lld:%02lld:%02lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), sep, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem % 3600 / 60), static_cast<long long>(rem % 60));
  std::string out = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  return out + zone_suffix;
}
}  // namespace

std::string format_time(Micros t) { return civil(t, 'T', "Z"); }
std::string format_pg_time(Micros t) { return civil(t, ' ', "+00"); }

std::string format_span(Micros from, Micros to) {
  Micros seconds = std::max<Micros>(0, to - from) / 1'000'000;
  // Recovery windows reach weeks back: "8d 3h" reads better than "195h12m".
  if (seconds >= 2 * 86'400) {
    Micros hours = seconds % 86'400 / 3'600;
    return std::to_string(seconds / 86'400) + "d" + (hours ? " " + std::to_string(hours) + "h" : "");
  }
  return seconds == 0 ? "0s" : kit::format_duration(kit::Millis(seconds * 1000));
}

std::string parse_lsn(std::string_view text, std::string_view what) {
  auto slash = text.find('/');
  auto hex = [](std::string_view s) {
    if (s.empty() || s.size() > 8) return false;
    for (char c : s)
      if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
  };
  if (slash == std::string_view::npos || !hex(text.substr(0, slash)) || !hex(text.substr(slash + 1)))
    throw kit::usage_error(std::string(what) + ": '" + kit::quote_value(text, 80) + "' is not a WAL location (use the form 0/3000028, as pg_current_wal_lsn() prints it)");
  auto norm = [](std::string_view s) {
    std::string out;
    for (char c : s) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto first = out.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : out.substr(first);
  };
  return norm(text.substr(0, slash)) + "/" + norm(text.substr(slash + 1));
}

std::string format_lsn(std::uint64_t lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(lsn >> 32), static_cast<unsigned>(lsn & 0xffffffffu));
  return buf;
}

std::uint64_t lsn_value(const std::string& lsn) {
  auto slash = lsn.find('/');
  return (std::stoull(lsn.substr(0, slash), nullptr, 16) << 32) | std::stoull(lsn.substr(slash + 1), nullptr, 16);
}

std::string check_restore_point_name(std::string_view name, std::string_view what) {
  if (name.empty() || name.size() > 63)
    throw kit::usage_error(std::string(what) + ": a restore point name has 1 to 63 bytes ('" + kit::quote_value(name, 80) + "' has " +
                           std::to_string(name.size()) + ")");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\' || c == '"')
      throw kit::usage_error(std::string(what) + ": '" + kit::quote_value(name, 80) + "' contains a quote, backslash or control character");
  return std::string(name);
}

TargetRequest parse_target(const std::optional<std::string>& to, const std::optional<std::string>& restore_point,
                           const std::optional<std::string>& lsn, const std::optional<std::string>& before_migration,
                           Micros now) {
  int given = !!to + !!restore_point + !!lsn + !!before_migration;
  if (given == 0)
    throw kit::usage_error("no recovery target: give one of --to TIME, --restore-point NAME, --lsn LSN, --before-migration NAME");
  if (given > 1)
    throw kit::usage_error("give only one recovery target (--to, --restore-point, --lsn or --before-migration)");
  TargetRequest r;
  if (to) {
    r.kind = TargetKind::time;
    r.time = parse_time(*to, now);
    r.as_written = *to;
  } else if (restore_point) {
    r.kind = TargetKind::restore_point;
    r.name = check_restore_point_name(*restore_point);
    r.as_written = *restore_point;
  } else if (lsn) {
    r.kind = TargetKind::lsn;
    r.lsn = parse_lsn(*lsn);
    r.as_written = *lsn;
  } else {
    r.kind = TargetKind::before_migration;
    if (before_migration->empty() || before_migration->size() > 255 ||
        before_migration->find_first_of("/\\\n\r'\"") != std::string::npos)
      throw kit::usage_error("--before-migration: '" + kit::quote_value(*before_migration, 80) + "' is not a Prisma migration folder name");
    r.name = *before_migration;
    r.as_written = *before_migration;
  }
  return r;
}

std::string RecoveryTarget::describe() const {
  switch (kind) {
    case TargetKind::time:
      return std::string(inclusive ? "up to and including " : "just before ") + format_time(*time);
    case TargetKind::restore_point:
      return "restore point " + name + (time ? " (" + format_time(*time) + ")" : "");
    case TargetKind::lsn:
      return "WAL location " + lsn + (time ? " (" + format_time(*time) + ")" : "");
    case TargetKind::before_migration:
      break;
  }
  return "?";
}

}  // namespace pitr_restore
