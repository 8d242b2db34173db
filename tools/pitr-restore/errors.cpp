#include "kit/error.hpp"
#include "pg/connection.hpp"
#include "pitr-restore/pitr_restore.hpp"
#include "supabase/management_api.hpp"

namespace pitr_restore {

void lift_error() {
  try {
    throw;
  } catch (const supabase::ApiError& e) {
    if (e.outcome_unknown)
      throw kit::partial_error(std::string("Supabase Management API: ") + e.what() +
                                   "; the request was sent once and may have been carried out: its outcome is unknown",
                               "look at the project in the dashboard before anything else; do not request another restore "
                               "until it is ACTIVE_HEALTHY");
    std::string m = std::string("Supabase Management API: ") + e.what() + "; nothing was changed";
    switch (e.status) {
      case 400:
      case 422:  // the API's own message says why; a target outside the window is the usual cause
        throw kit::usage_error(m + " (the API refused the request)",
                               "run `pitr-restore window` and pick a target inside it");
      case 404:
        if (e.operation.find("/undo") != std::string::npos)
          throw kit::usage_error(m + " (the project does not know that restore point)",
                                 "run `pitr-restore window` to list the restore points, or pick a time with --to");
        throw kit::usage_error(m + " (no such project, or the token's user cannot see it)", "check --project-ref");
      case 401:
        throw kit::environment_error(m + " (the token was not accepted: mistyped, expired or revoked)",
                                     "set SUPABASE_ACCESS_TOKEN to a valid personal access token (Dashboard > Account > Access Tokens)");
      case 403:
        throw kit::environment_error(m + " (the token is valid but its user may not do this on this project)",
                                     "use a personal access token of an owner or administrator of the project's organization");
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
