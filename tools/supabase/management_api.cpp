#include "supabase/management_api.hpp"

#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "kit/untrusted_json.hpp"

namespace supabase {

struct ManagementApi::Answer {
  long status = 0;
  std::string body;  // read by the read_* functions, which trust nothing in it
};

namespace {

// A Unix time as the API sends it: an integer, a float, or a string of digits. Anything else, or
// a value no int64 holds (a float of 1e300, an unsigned beyond INT64_MAX), is "not given".
std::optional<std::int64_t> integer_of(const nlohmann::json& j) {
  if (auto i = kit::json_integer(j)) return i;
  if (j.is_number_float()) {
    double d = j.get<double>();
    // 2^63 is exactly representable; every double below it converts without overflow.
    if (!std::isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  if (j.is_string()) {
    auto v = kit::parse_integer(j.get<std::string>());
    if (v) return static_cast<std::int64_t>(*v);
  }
  return std::nullopt;
}

// A flag as the API sends it; a value of another type (a string, null) counts as false.
bool flag_of(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

// The API's own explanation, bounded: {"message": "..."} or {"error": "..."}.
std::string message_of(const std::string& body) {
  auto j = kit::parse_untrusted_json(body);
  std::string m;
  if (j.is_object()) {
    for (const char* key : {"message", "error", "msg"})
      if (j.contains(key) && j[key].is_string()) {
        m = j[key].get<std::string>();
        break;
      }
  }
  if (m.empty()) m = body;
  m = kit::redacted_excerpt(m, 300);
  for (auto& c : m)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return m;
}

}  // namespace

bool valid_project_ref(const std::string& ref) {
  if (ref.size() != 20) return false;
  for (char c : ref)
    if (c < 'a' || c > 'z') return false;
  return true;
}

ManagementApi::ManagementApi(ApiConfig config) : config_(std::move(config)) {
  while (!config_.base_url.empty() && config_.base_url.back() == '/') config_.base_url.pop_back();
  kit::secrets().add(config_.token);
}

ManagementApi::~ManagementApi() = default;

std::uint64_t ManagementApi::requests_sent() const { return http_.requests_sent(); }

ManagementApi::Answer ManagementApi::call(const std::string& method, const std::string& path, const std::string& body,
                                          std::initializer_list<long> ok, Effect effect) {
  kit::HttpRequest req;
  req.method = method;
  req.url = config_.base_url + path;
  req.headers = {{"Authorization", "Bearer " + config_.token}, {"Accept", "application/json"}};
  if (!body.empty()) {
    req.headers.push_back({"Content-Type", "application/json"});
    req.body = body;
  }
  req.total_timeout = config_.request_timeout;
  req.tls = config_.tls;
  req.fresh_connection = effect == Effect::acts;
  std::string operation = method + " " + path;
  kit::log::debug("supabase: " + operation);
  // A restore sent twice may restore twice (the second to a target that is now further back than
  // the first left it): restore-pitr and undo are retried only when they surely were not carried out.
  kit::RetryPolicy policy = config_.retry;
  policy.acts = effect == Effect::acts;
  kit::HttpResponse r = http_.send_with_retry(req, policy);
  bool unknown = policy.acts && kit::outcome_unknown(r);
  if (!r.ok()) {
    ApiError e(operation, 0, r.error, operation + ": " + kit::transport_error_name(r.error) + " (" + r.error_message + ")");
    e.outcome_unknown = unknown;
    throw e;
  }
  for (long s : ok)
    if (r.status == s) {
      Answer a;
      a.status = r.status;
      a.body = std::move(r.body);
      return a;
    }
  ApiError e(operation, r.status, kit::TransportError::none,
             operation + " answered " + std::to_string(r.status) + ": " + message_of(r.body));
  e.retry_after = kit::retry_after_of(r);
  // A success we do not know (202, 204) for a request that acts: it may well have been accepted.
  e.outcome_unknown = unknown || (policy.acts && r.status >= 200 && r.status < 300);
  throw e;
}

std::optional<Backups> read_backups(const std::string& body) {
  auto j = kit::parse_untrusted_json(body);
  if (!j.is_object()) return std::nullopt;
  Backups b;
  b.pitr_enabled = flag_of(j, "pitr_enabled");
  b.walg_enabled = flag_of(j, "walg_enabled");
  if (j.contains("physical_backup_data") && j["physical_backup_data"].is_object()) {
    const auto& p = j["physical_backup_data"];
    auto read_time = [&](const char* key, std::optional<std::int64_t>& out) {
      if (!p.contains(key) || p[key].is_null()) return;
      out = integer_of(p[key]);
      b.window_unreadable = b.window_unreadable || !out;
    };
    read_time("earliest_physical_backup_date_unix", b.earliest_unix);
    read_time("latest_physical_backup_date_unix", b.latest_unix);
  }
  if (j.contains("backups") && j["backups"].is_array())
    for (const auto& x : j["backups"])
      if (x.is_object() && x.contains("inserted_at") && x["inserted_at"].is_string()) b.backup_times.push_back(x["inserted_at"]);
  return b;
}

std::optional<std::string> read_project_status(const std::string& body) {
  auto j = kit::parse_untrusted_json(body);
  if (!j.is_object() || !j.contains("status") || !j["status"].is_string()) return std::nullopt;
  return j["status"].get<std::string>();
}

std::vector<RestorePoint> read_restore_points(const std::string& body) {
  auto j = kit::parse_untrusted_json(body);
  std::vector<RestorePoint> out;
  const nlohmann::json* list = &j;
  if (j.is_object() && j.contains("restore_points")) list = &j["restore_points"];
  if (!list->is_array()) return out;
  for (const auto& x : *list) {
    if (!x.is_object() || !x.contains("name") || !x["name"].is_string()) continue;
    RestorePoint p;
    p.name = x["name"];
    if (x.contains("status") && x["status"].is_string()) p.status = x["status"];
    for (const char* key : {"created_at_unix", "time_unix", "recovery_time_target_unix"})
      if (x.contains(key) && !p.time_unix) p.time_unix = integer_of(x[key]);
    out.push_back(std::move(p));
  }
  return out;
}

Backups ManagementApi::backups(const std::string& ref) {
  auto a = call("GET", "/v1/projects/" + ref + "/database/backups", "", {200});
  auto b = read_backups(a.body);
  if (!b) throw ApiError("GET backups", a.status, kit::TransportError::none, "the backups answer is not a JSON object");
  return *b;
}

void ManagementApi::restore_pitr(const std::string& ref, std::int64_t target) {
  call("POST", "/v1/projects/" + ref + "/database/backups/restore-pitr",
       nlohmann::json{{"recovery_time_target_unix", target}}.dump(), {200, 201}, Effect::acts);
}

std::string ManagementApi::project_status(const std::string& ref) {
  auto a = call("GET", "/v1/projects/" + ref, "", {200});
  auto status = read_project_status(a.body);
  if (!status) throw ApiError("GET project", a.status, kit::TransportError::none, "the project answer has no status");
  return *status;
}

std::vector<RestorePoint> ManagementApi::restore_points(const std::string& ref) {
  return read_restore_points(call("GET", "/v1/projects/" + ref + "/database/backups/restore-point", "", {200}).body);
}

void ManagementApi::create_restore_point(const std::string& ref, const std::string& name) {
  call("POST", "/v1/projects/" + ref + "/database/backups/restore-point", nlohmann::json{{"name", name}}.dump(), {200, 201},
       Effect::acts);
}

void ManagementApi::undo(const std::string& ref, const std::string& name) {
  call("POST", "/v1/projects/" + ref + "/database/backups/undo", nlohmann::json{{"name", name}}.dump(), {200, 201}, Effect::acts);
}

}  // namespace supabase
