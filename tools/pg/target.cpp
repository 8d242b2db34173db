#include "pg/target.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "kit/error.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "pg/pooler.hpp"

namespace pg {
namespace {

// Parameters Prisma accepts in its URLs that libpq would reject as unknown.
const std::vector<std::string> kPrismaOnly = {"schema",       "pgbouncer",          "connection_limit", "pool_timeout",
                                              "socket_timeout", "statement_cache_size", "sslaccept",        "sslidentity",
                                              "sslpassword",    "sslcert",            "single_use_connections"};

std::string append_param(const std::string& url, const std::string& key, const std::string& value) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + key + "=" + kit::url_escape(value);
}

// In a Prisma URL `sslcert` is the server's CA certificate (libpq's sslrootcert) and
// `sslaccept=accept_invalid_certs` turns its verification off; libpq would read `sslcert` as a
// client certificate, so the same DATABASE_URL would mean something else to each tool. With a root
// certificate, libpq's sslmode=require verifies the chain as Prisma's default sslaccept=strict does.
std::string prisma_tls_to_libpq(const std::string& conninfo, const std::vector<std::pair<std::string, std::string>>& taken) {
  std::string out = conninfo;
  bool accept_invalid = false;
  for (const auto& [k, v] : taken)
    if (k == "sslaccept" && v == "accept_invalid_certs") accept_invalid = true;
  for (const auto& [k, v] : taken)
    if (k == "sslcert" && !v.empty() && !accept_invalid) out = append_param(out, "sslrootcert", v);
  return out;
}

// "mysql" for "mysql://...", "" when the text has no URL scheme (a libpq key=value string).
std::string scheme_of(const std::string& url) {
  auto sep = url.find("://");
  if (sep == std::string::npos || sep == 0) return url.rfind("file:", 0) == 0 ? "file" : "";
  for (size_t i = 0; i < sep; ++i)
    if (!std::isalnum(static_cast<unsigned char>(url[i])) && url[i] != '+' && url[i] != '-' && url[i] != '.') return "";
  return kit::lower(url.substr(0, sep));
}

// Prisma's providers, by URL scheme, for the message that names what is not supported.
std::string provider_of(const std::string& scheme) {
  if (scheme == "mysql" || scheme == "mariadb") return "MySQL";
  if (scheme == "sqlserver") return "SQL Server";
  if (scheme.rfind("mongodb", 0) == 0) return "MongoDB";
  if (scheme == "file") return "SQLite";
  if (scheme == "prisma" || scheme.rfind("prisma+", 0) == 0) return "Prisma Accelerate / Prisma Postgres proxy";
  return "";
}

// The URL's user info holds a raw '@' or '#' (or another '@' after the first): libpq would split
// the password there and show its tail as the host. Refuses it without quoting any part of it; the
// whole candidate password becomes a secret first, in case anything else echoes it.
void refuse_unencoded_userinfo(const std::string& url, const std::string& source) {
  // Everything before the query; its last '@' ends the user info (a raw '/' in a password would
  // otherwise end the host part early, so it is looked for too).
  size_t start = url.find("://") + 3;
  size_t query = url.find('?', start);
  std::string authority = url.substr(start, query == std::string::npos ? std::string::npos : query - start);
  size_t last_at = authority.rfind('@');
  if (last_at == std::string::npos) return;
  std::string userinfo = authority.substr(0, last_at);
  if (userinfo.find_first_of("@#/") == std::string::npos) return;
  size_t colon = userinfo.find(':');
  if (colon != std::string::npos) kit::secrets().add(userinfo.substr(colon + 1));
  kit::secrets().add(userinfo);
  std::string host = authority.substr(last_at + 1);
  host = host.substr(0, host.find('/'));
  throw kit::usage_error(source + ": the user name or password in the URL" + (host.empty() ? "" : " for " + host) +
                         " holds an unencoded '@', '#' or '/'; percent-encode special characters in it (@ as %40, # as %23, : as %3A, "
                         "/ as %2F), as Prisma requires (P1013)");
}

// The URL for messages: the user info's password replaced by *** wherever the user info ends
// (its last '@' before the query), then kit::redact_url for credentials in the query. redact_url
// alone scans URLs inside log lines and stops at white space, so `postgresql://u ses:pw@h/db`
// (libpq reads user "u ses") kept its password (found by tests/fuzz/prisma_url_fuzz).
std::string display_url(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return kit::redact_url(url);
  size_t start = scheme + 3;
  size_t query = url.find('?', start);
  size_t at = url.rfind('@', query == std::string::npos ? std::string::npos : query);
  std::string shown = url;
  if (at != std::string::npos && at >= start) {
    size_t colon = url.find(':', start);
    if (colon != std::string::npos && colon < at) shown = url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  return kit::redact_url(shown);
}

}  // namespace

std::string strip_url_params(const std::string& url, const std::vector<std::string>& drop,
                             std::vector<std::pair<std::string, std::string>>& taken) {
  auto q = url.find('?');
  if (q == std::string::npos) return url;
  std::string base = url.substr(0, q), kept;
  std::string query = url.substr(q + 1);
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string part = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      std::string key = part.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
      if (std::find(drop.begin(), drop.end(), key) != drop.end()) {
        std::replace(value.begin(), value.end(), '+', ' ');  // query-string form: '+' is a space
        taken.emplace_back(key, kit::percent_decode(value));
      }
      else kept += (kept.empty() ? "" : "&") + part;
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return kept.empty() ? base : base + "?" + kept;
}

DbTarget resolve_target(const std::string& url_given, const std::string& option, const kit::Env& env,
                        const std::vector<std::string>& env_vars) {
  std::string url = url_given, source = option;
  for (const auto& name : env_vars) {
    if (!url.empty()) break;
    if (auto v = env.get(name); v && !v->empty()) {
      url = *v;
      source = name;
    }
  }
  if (url.empty() && !env.get("PGHOST") && !env.get("PGDATABASE") && !env.get("PGSERVICE") && !env.get("PGPORT"))
    throw kit::usage_error("no database: give " + option + " URL or set " + kit::join(env_vars, " or ") + " (or PGHOST/PGDATABASE)");
  DbTarget t;
  t.source = url.empty() ? "PG* variables" : source;
  if (!url.empty()) {
    std::string scheme = scheme_of(url);
    bool is_url = scheme == "postgresql" || scheme == "postgres";
    if (!scheme.empty() && !is_url) {
      std::string provider = provider_of(scheme);
      throw kit::usage_error(source + ": " + scheme + ": URLs are not supported" + (provider.empty() ? "" : " (" + provider + ")") +
                             ": migrate-guard works with PostgreSQL only (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)");
    }
    if (is_url) refuse_unencoded_userinfo(url, source);
    kit::learn_url_secret(url);
    std::vector<std::pair<std::string, std::string>> taken;
    t.conninfo = is_url ? strip_url_params(url, kPrismaOnly, taken) : url;
    for (const auto& [k, v] : taken) {
      if (k == "schema" && !v.empty()) {
        t.schema = v;
        t.schema_given = true;
      }
      if (k == "sslidentity")
        throw kit::usage_error(source + ": sslidentity (a PKCS#12 client identity) is not supported; give the client "
                               "certificate and key as PEM with sslcert=/sslkey= in libpq's form instead");
    }
    t.conninfo = prisma_tls_to_libpq(t.conninfo, taken);
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(t.conninfo.c_str(), &err);
    if (!opts) {
      std::string why = err ? err : "unreadable";
      if (err) PQfreemem(err);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      throw kit::usage_error(source + ": cannot read the database URL '" + kit::redact_url(url) + "': " + why);
    }
    // libpq checks these values only when connecting, where a typo looks like an outage (exit 3).
    static const std::map<std::string, std::vector<std::string>> kChoices = {
        {"sslmode", {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}},
        {"gssencmode", {"disable", "prefer", "require"}},
        {"target_session_attrs", {"any", "read-write", "read-only", "primary", "standby", "prefer-standby"}}};
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
      if (!o->val) continue;
      std::string k = o->keyword, v = o->val;
      auto choices = kChoices.find(k);
      bool bad = choices != kChoices.end() && std::find(choices->second.begin(), choices->second.end(), v) == choices->second.end();
      if (k == "connect_timeout" && (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)) bad = true;
      if (bad) {
        PQconninfoFree(opts);
        throw kit::usage_error(source + ": cannot read the database URL '" + kit::redact_url(url) + "': " + k + "='" +
                               kit::quote_value(kit::secrets().redact(v), 40) + "' is not valid" +
                               (choices != kChoices.end() ? " (one of " + kit::join(choices->second, ", ") + ")" : " (whole seconds)"));
      }
      if (k == "password") kit::secrets().add(v);
      else if (k == "host" || k == "hostaddr") t.host = t.host.empty() ? v : t.host;
      else if (k == "port") t.port = v;
      else if (k == "dbname") t.dbname = v;
      else if (k == "user") t.user = v;
    }
    PQconninfoFree(opts);
    // libpq only checks the port when connecting; a typo there is bad input, not an outage.
    for (size_t start = 0; !t.port.empty() && start <= t.port.size();) {
      size_t comma = t.port.find(',', start);
      std::string one = t.port.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      bool digits = !one.empty() && one.size() <= 5 && one.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoi(one) < 1 || std::stoi(one) > 65535)
        throw kit::usage_error(source + ": cannot read the database URL '" + kit::redact_url(url) + "': port '" + one + "' is not a number");
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    t.pooler_reasons = pooler_reasons(t.host, t.port, taken);
    t.display = display_url(url);
  } else {
    t.host = env.get_or("PGHOST", "");
    t.port = env.get_or("PGPORT", "5432");
    t.dbname = env.get_or("PGDATABASE", "");
    t.user = env.get_or("PGUSER", "");
    t.pooler_reasons = pooler_reasons(t.host, t.port, {});
    t.display = "PG* variables (host " + t.host + ", database " + t.dbname + ")";
  }
  if (auto pw = env.get("PGPASSWORD")) kit::secrets().add(*pw);
  if (t.port.empty()) t.port = env.get_or("PGPORT", "5432");
  return t;
}

}  // namespace pg
