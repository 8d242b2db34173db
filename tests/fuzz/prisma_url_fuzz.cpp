// Prisma database URLs (DATABASE_URL, --database-url, schema.prisma's url): Prisma-only parameters
// taken off, the pooler heuristics, a password-free display. Invariants: only kit::Error(usage)
// escapes; the password never appears in the display; the secrets registry is reset per input.
#include "fuzz_support.hpp"
#include "kit/env.hpp"
#include "kit/error.hpp"
#include "kit/secrets.hpp"
#include "pg/pooler.hpp"
#include "pg/target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string url = fuzz::as_string(data, size);
  std::vector<std::pair<std::string, std::string>> taken;
  std::string stripped = pg::strip_url_params(url, {"schema", "pgbouncer", "connection_limit"}, taken);
  FUZZ_CHECK(stripped.size() <= url.size() + 1, "stripping never grows the URL");
  kit::secrets().clear();
  kit::Env env(std::map<std::string, std::string>{});
  try {
    pg::DbTarget t = pg::resolve_target(url, "--database-url", env);
    FUZZ_CHECK(!t.source.empty(), "a target says where it came from");
    // The display never shows the user info's password (the same bytes may legitimately appear
    // elsewhere in the URL, e.g. in a query value; every output is redacted anyway).
    // Only for a URL that starts with its scheme (a "://" further on is not one).
    auto scheme = url.find("://");
    bool is_pg_url = url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
    if (is_pg_url && scheme != std::string::npos) {
      std::string rest = url.substr(scheme + 3);
      auto at = rest.rfind('@', rest.find_first_of("/?"));
      std::string userinfo = at == std::string::npos ? "" : rest.substr(0, at);
      auto colon = userinfo.find(':');
      // (A password that is literally "***" looks like its own mask.)
      if (colon != std::string::npos && colon + 1 < userinfo.size() && userinfo.substr(colon + 1) != "***")
      {
        // Only the display's authority: the query or path may repeat the same bytes as plain text.
        size_t from = t.display.find("://");
        std::string authority = from == std::string::npos ? t.display : t.display.substr(from + 3);
        authority = authority.substr(0, authority.find_first_of("/?"));
        FUZZ_CHECK(authority.find(userinfo + "@") == std::string::npos, "the display hides the password");
      }
    }
    (void)pg::pooler_reasons(t.host, t.port, taken);
    try {
      pg::refuse_pooler(t);
    } catch (const kit::Error& e) {
      FUZZ_CHECK(e.code() == kit::Exit::usage, "a pooler is a usage error");
    }
  } catch (const kit::Error& e) {
    FUZZ_CHECK(e.code() == kit::Exit::usage, "a bad URL is a usage error");
  }
  kit::secrets().clear();
  return 0;
}
