#include "kit/error.hpp"
#include "pg/connection.hpp"
#include "pitr-restore/pitr_restore.hpp"
#include "supabase/management_api.hpp"

namespace pitr_restore {

void lift_error() {
  try {
    throw;
  } catch (const supabase::ApiError& e) {
    std::string m = std::string("Supabase Management API: ") + e.what() + "; nothing was changed";
    switch (e.status) {
      case 400:
      case 422:
        throw kit::usage_error(m + " (the API refused the request: for restore-pitr, the target is outside the window)",
                               "run `pitr-restore window` and pick a target inside it");
      case 404:
        throw kit::usage_error(m + " (no such project, or the token's user cannot see it)", "check --project-ref");
      case 401:
      case 403:
        throw kit::environment_error(m, "check SUPABASE_ACCESS_TOKEN: a personal access token of a member allowed to restore this project");
      case 429:
        throw kit::environment_error(m, "the API allows 60 requests a minute per user across all tokens: wait a minute, then retry");
      default:
        throw kit::environment_error(m, e.status == 0 ? "check the network path to --api-url" : "retry later; see status.supabase.com");
    }
  } catch (const pg::PgError& e) {
    throw kit::environment_error(std::string("database error: ") + (e.sqlstate.empty() ? "" : e.sqlstate + " ") + e.what(),
                                 "check --database-url and the user's privileges");
  } catch (...) {
  }
}

}  // namespace pitr_restore
