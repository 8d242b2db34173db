#pragma once
// The Supabase Management API (https://api.supabase.com/v1), the parts that back up and restore a
// project's database: the PITR window, restore-pitr, named restore points, undo, project status.
// Shared by pitr-restore and (next) migrate-guard, which creates a named restore point before it
// migrates. The personal access token is a secret: registered with kit::secrets(), sent only in
// the Authorization header, never logged.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kit/duration.hpp"
#include "kit/http.hpp"
#include "kit/retry.hpp"

namespace supabase {

struct ApiConfig {
  std::string base_url = "https://api.supabase.com";
  std::string token;  // SUPABASE_ACCESS_TOKEN
  kit::TlsOptions tls;
  kit::Millis request_timeout{30'000};
  // The API allows 60 requests per minute per user; a 429 says for how long to stop (Retry-After).
  kit::RetryPolicy retry{.max_attempts = 5, .initial_delay = kit::Millis(1'000), .max_delay = kit::Millis(30'000),
                         .max_retry_after = kit::Millis(70'000)};
};

// An answer that is not the documented success, or no answer at all.
struct ApiError : std::runtime_error {
  ApiError(std::string operation, long status, kit::TransportError transport, std::string message)
      : std::runtime_error(std::move(message)), operation(std::move(operation)), status(status), transport(transport) {}
  std::string operation;  // "GET /v1/projects/{ref}/database/backups"
  long status = 0;        // 0 when there was no HTTP answer
  kit::TransportError transport = kit::TransportError::none;
  std::optional<kit::Millis> retry_after;  // the server's Retry-After (a 429 the retries did not outlast)
  // A restore or undo that may have been carried out although no success came back (a timeout,
  // a reset, a 5xx): it was not sent again, and nobody may say "nothing was changed".
  bool outcome_unknown = false;
};

struct Backups {
  bool pitr_enabled = false;
  bool walg_enabled = false;
  std::optional<std::int64_t> earliest_unix;  // physical_backup_data.earliest_physical_backup_date_unix
  std::optional<std::int64_t> latest_unix;    // physical_backup_data.latest_physical_backup_date_unix
  std::vector<std::string> backup_times;      // backups[].inserted_at, as sent
  bool window_unreadable = false;             // one of the two times was sent but is not an integer
};

struct RestorePoint {
  std::string name;
  std::string status;                      // as sent ("AVAILABLE", "PENDING"...), "" if absent
  std::optional<std::int64_t> time_unix;   // when the API says
};

class ManagementApi {
 public:
  explicit ManagementApi(ApiConfig config);
  ~ManagementApi();
  ManagementApi(const ManagementApi&) = delete;
  ManagementApi& operator=(const ManagementApi&) = delete;

  Backups backups(const std::string& ref);
  // 201 on success; 400 when the target is outside the window.
  void restore_pitr(const std::string& ref, std::int64_t recovery_time_target_unix);
  // The project's `status` ("ACTIVE_HEALTHY", "RESTORING", "COMING_UP"...).
  std::string project_status(const std::string& ref);
  std::vector<RestorePoint> restore_points(const std::string& ref);
  void create_restore_point(const std::string& ref, const std::string& name);
  void undo(const std::string& ref, const std::string& restore_point_name);

  std::uint64_t requests_sent() const;
  // Each later request's deadline (a status poll must not outlast the restore's own deadline).
  void set_request_timeout(kit::Millis timeout) { config_.request_timeout = timeout; }

 private:
  struct Answer;
  enum class Effect { reads, acts };  // acts: sent once unless it surely was not carried out
  Answer call(const std::string& method, const std::string& path, const std::string& body, std::initializer_list<long> ok,
              Effect effect = Effect::reads);
  ApiConfig config_;
  kit::HttpClient http_;
};

// The answers, read without trusting their shape (nesting bounded, wrong types ignored, numbers
// out of range dropped): plain functions so tests and the fuzz harness reach them.
std::optional<Backups> read_backups(const std::string& body);  // nullopt: not a JSON object
std::optional<std::string> read_project_status(const std::string& body);
std::vector<RestorePoint> read_restore_points(const std::string& body);

// A project ref is 20 lower-case letters; anything else is refused before a request (exit 2).
bool valid_project_ref(const std::string& ref);

}  // namespace supabase
