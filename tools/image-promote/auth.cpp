#include "image-promote/auth.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "image-promote/digest.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/process.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "kit/untrusted_json.hpp"

namespace image_promote {
namespace {

// The keys a registry may be stored under in config.json "auths".
std::vector<std::string> config_keys(const std::string& registry) {
  std::vector<std::string> keys{registry, "https://" + registry, "http://" + registry, "https://" + registry + "/v1/",
                                "https://" + registry + "/v2/"};
  if (registry == "docker.io")
    keys.insert(keys.begin(), {"https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"});
  return keys;
}

// docker and skopeo hand "docker-credential-" + name to exec, where a name with a slash becomes a
// path relative to the working directory: a config file could then run any program it names.
// Helpers are programs on PATH; anything but a plain name is refused before a process starts.
bool plain_helper_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; });
}

Credential from_helper(const std::string& path, const std::string& helper, const std::string& registry) {
  if (!plain_helper_name(helper))
    throw kit::usage_error(path + " names a credential helper that is not a plain program name (\"" + helper +
                           "\"): use the suffix of a docker-credential-<name> program on PATH");
  std::string server = registry == "docker.io" ? "https://index.docker.io/v1/" : registry;
  kit::ProcessSpec spec;
  spec.argv = {"docker-credential-" + helper, "get"};
  spec.stdin_data = server;
  spec.timeout = kit::Millis{30'000};
  auto r = kit::run_process(spec);
  if (!r.started)
    throw kit::environment_error("credential helper docker-credential-" + helper + " could not be started: " + r.error,
                                 "install it on PATH, or remove it from credHelpers/credsStore in config.json");
  if (r.exit_code != 0) {
    // "credentials not found in native keychain" means anonymous, as docker does it.
    if (r.out.find("not found") != std::string::npos || r.err.find("not found") != std::string::npos) return {};
    throw kit::environment_error("credential helper docker-credential-" + helper + " failed for " + registry + " (" +
                                     kit::how_it_ended(r) + ")",
                                 "run `echo " + server + " | docker-credential-" + helper + " get` to see why");
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(r.out);
  } catch (...) {
    throw kit::environment_error("credential helper docker-credential-" + helper + " printed something that is not JSON",
                                 "check the helper version; it must print {\"Username\":..,\"Secret\":..}");
  }
  Credential c;
  std::string user = kit::json_string(j, "Username");
  std::string secret = kit::json_string(j, "Secret");
  if (user == "<token>") c.identity_token = secret;
  else c.username = user, c.password = secret;
  c.source = "docker-credential-" + helper;
  return c;
}

// One docker config.json or containers auth.json (same format): credHelpers for the host, then
// auths, then credsStore. nullopt when the file does not exist or does not know the registry.
std::optional<Credential> from_auth_file(const std::string& path, const std::string& registry) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw kit::usage_error(path + " is not valid JSON: " + e.what());
  }
  auto keys = config_keys(registry);
  if (j.contains("credHelpers") && j["credHelpers"].is_object())
    for (const auto& k : keys)
      // An empty entry means "no helper for this registry" (docker then reads auths).
      if (j["credHelpers"].contains(k) && j["credHelpers"][k].is_string() && !j["credHelpers"][k].get<std::string>().empty())
        return from_helper(path, j["credHelpers"][k].get<std::string>(), registry);
  if (j.contains("auths") && j["auths"].is_object()) {
    for (const auto& k : keys) {
      if (!j["auths"].contains(k)) continue;
      const auto& a = j["auths"][k];
      Credential c;
      c.source = (path.size() >= 10 && path.compare(path.size() - 10, 10, "/auth.json") == 0 ? "containers auth file ("
                                                                                               : "docker config (") +
                 path + ")";
      if (!a.is_object()) continue;
      if (a.contains("identitytoken") && a["identitytoken"].is_string()) c.identity_token = a["identitytoken"].get<std::string>();
      if (a.contains("auth") && a["auth"].is_string() && !a["auth"].get<std::string>().empty()) {
        std::string decoded;
        try {
          decoded = base64_decode(a["auth"].get<std::string>());
        } catch (const kit::Error&) {
          throw kit::usage_error(path + ": the auth entry for " + k + " is not valid base64");
        }
        size_t colon = decoded.find(':');
        if (colon == std::string::npos) throw kit::usage_error(path + ": the auth entry for " + k + " is not user:password");
        c.username = decoded.substr(0, colon);
        c.password = decoded.substr(colon + 1);
      } else if (a.contains("username") && a["username"].is_string()) {
        c.username = a["username"].get<std::string>();
        if (a.contains("password") && a["password"].is_string()) c.password = a["password"].get<std::string>();
      }
      if (!c.empty()) return c;
    }
  }
  if (j.contains("credsStore") && j["credsStore"].is_string() && !j["credsStore"].get<std::string>().empty())
    return from_helper(path, j["credsStore"].get<std::string>(), registry);
  return std::nullopt;
}

}  // namespace

CredentialSources credential_sources(const kit::Env& env, const std::string& username, const std::string& password) {
  CredentialSources s;
  if (!username.empty() || !password.empty()) {
    if (username.empty() || password.empty())
      throw kit::usage_error("--username needs a password (--password-stdin or INPUT_PASSWORD) and the other way round");
    s.explicit_credential = Credential{username, password, "", "--username"};
  } else if (auto u = env.get("REGISTRY_USERNAME")) {
    auto p = env.get("REGISTRY_PASSWORD");
    if (!p) throw kit::usage_error("REGISTRY_USERNAME is set but REGISTRY_PASSWORD is not");
    s.explicit_credential = Credential{*u, *p, "", "REGISTRY_USERNAME"};
  }
  if (s.explicit_credential) kit::secrets().add(s.explicit_credential->password);
  s.github_token = env.secret("GITHUB_TOKEN").value_or("");
  s.github_actor = env.get_or("GITHUB_ACTOR", "");
  auto home = env.get("HOME");
  if (auto f = env.get("REGISTRY_AUTH_FILE")) s.auth_files.push_back(*f);
  else if (auto run = env.get("XDG_RUNTIME_DIR")) s.auth_files.push_back(*run + "/containers/auth.json");
  if (auto cfg = env.get("XDG_CONFIG_HOME")) s.auth_files.push_back(*cfg + "/containers/auth.json");
  else if (home) s.auth_files.push_back(*home + "/.config/containers/auth.json");
  if (auto d = env.get("DOCKER_CONFIG")) s.auth_files.push_back(*d + "/config.json");
  else if (home) s.auth_files.push_back(*home + "/.docker/config.json");
  return s;
}

Credential lookup_credential(const CredentialSources& sources, const std::string& registry) {
  if (sources.explicit_credential && (sources.explicit_for.empty() || sources.explicit_for == registry))
    return *sources.explicit_credential;
  if (registry == "ghcr.io" && !sources.github_token.empty())
    return Credential{sources.github_actor.empty() ? "x-access-token" : sources.github_actor, sources.github_token, "",
                      "GITHUB_TOKEN"};
  for (const auto& path : sources.auth_files)
    if (auto c = from_auth_file(path, registry)) return *c;
  return {};
}

std::optional<Challenge> parse_challenge(const std::string& header) {
  size_t sp = header.find(' ');
  Challenge c;
  c.scheme = header.substr(0, sp);
  c.scheme = kit::lower(c.scheme);
  if (c.scheme != "basic" && c.scheme != "bearer") return std::nullopt;
  if (sp == std::string::npos) return c;
  size_t i = sp + 1;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    size_t eq = header.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = header.substr(i, eq - i);
    key = kit::lower(key);
    std::string value;
    i = eq + 1;
    if (i < header.size() && header[i] == '"') {
      ++i;
      while (i < header.size() && header[i] != '"') {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i++];
      }
      ++i;
    } else {
      size_t end = header.find(',', i);
      value = header.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? header.size() : end;
    }
    c.params[key] = value;
  }
  return c;
}

Authenticator::Authenticator(CredentialSources sources, kit::TlsOptions tls, kit::RetryPolicy retry)
    : sources_(std::move(sources)), tls_(std::move(tls)), retry_(retry) {}

int Authenticator::tokens_fetched() const {
  std::lock_guard lock(mutex_);
  return tokens_fetched_;
}

Credential Authenticator::credential(const std::string& registry) {
  // Called with mutex_ held.
  auto it = credentials_.find(registry);
  if (it != credentials_.end()) return it->second;
  Credential c = lookup_credential(sources_, registry);
  for (const auto& s : {c.password, c.identity_token})
    if (!s.empty()) kit::secrets().add(s);
  credentials_[registry] = c;
  return c;
}

std::string Authenticator::credential_source(const std::string& registry) {
  std::lock_guard lock(mutex_);
  auto c = credential(registry);
  return c.empty() ? "anonymous" : c.source;
}

std::string Authenticator::cached(const std::string& registry, const std::vector<std::string>& scopes) {
  std::lock_guard lock(mutex_);
  auto it = headers_.find(registry + "|" + kit::join(scopes, " "));
  if (it != headers_.end()) return it->second;
  it = headers_.find(registry + "|basic");
  return it != headers_.end() ? it->second : "";
}

std::string Authenticator::answer(const std::string& registry, const std::string& www_authenticate,
                                  const std::vector<std::string>& scopes, kit::HttpClient& http, bool over_tls) {
  auto challenge = parse_challenge(www_authenticate);
  if (!challenge)
    throw kit::environment_error(registry + " asks for an authentication scheme we do not speak: " + www_authenticate,
                                 "use a registry that offers Basic or Bearer token authentication");
  std::lock_guard lock(mutex_);
  Credential c = credential(registry);
  if (challenge->scheme == "basic") {
    if (c.username.empty())
      throw kit::environment_error(registry + " requires a login and no credentials were found for it",
                                   "give --username with --password-stdin, set REGISTRY_USERNAME/REGISTRY_PASSWORD, or docker login");
    std::string header = "Basic " + base64_encode(c.username + ":" + c.password);
    kit::secrets().add(header.substr(6));
    headers_[registry + "|basic"] = header;
    return header;
  }
  std::string header = "Bearer " + fetch_token(registry, *challenge, scopes, http, over_tls);
  headers_[registry + "|" + kit::join(scopes, " ")] = header;
  return header;
}

std::string Authenticator::fetch_token(const std::string& registry, const Challenge& ch,
                                       const std::vector<std::string>& scopes, kit::HttpClient& http, bool over_tls) {
  auto realm = ch.params.find("realm");
  if (realm == ch.params.end() || realm->second.empty())
    throw kit::environment_error(registry + " sent a Bearer challenge without a realm", "report this to the registry operator");
  // A registry reached over HTTPS naming a plain-HTTP token service would have us send its
  // credentials in clear text: refused, whoever injected the challenge. Plain HTTP is for
  // registries named in --insecure-registry only (then the registry itself is plain HTTP too).
  if (over_tls && kit::lower(realm->second.substr(0, 7)) == "http://")
    throw kit::environment_error(registry + " is reached over HTTPS but its 401 names a plain-HTTP token service (" +
                                     kit::redact_url(realm->second) + "); no credentials were sent",
                                 "the registry (or something in between) downgrades authentication: check its token realm "
                                 "configuration; plain HTTP is only spoken to registries given with --insecure-registry");
  std::string service = ch.params.count("service") ? ch.params.at("service") : "";
  // The challenge's own scope plus every scope this operation needs: one token serves the whole
  // copy (pull on the source repository, pull+push on the destination, for mounts).
  std::set<std::string> all(scopes.begin(), scopes.end());
  if (ch.params.count("scope"))
    for (std::istringstream in(ch.params.at("scope")); in;) {
      std::string s;
      in >> s;
      if (!s.empty()) all.insert(s);
    }
  Credential c = credential(registry);
  kit::HttpRequest req;
  req.tls = tls_;
  if (!c.identity_token.empty()) {
    req.method = "POST";
    req.url = realm->second;
    req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    req.body = "grant_type=refresh_token&client_id=image-promote&service=" + kit::url_escape(service) +
               "&refresh_token=" + kit::url_escape(c.identity_token) +
               "&scope=" + kit::url_escape(kit::join(std::vector<std::string>(all.begin(), all.end()), " "));
  } else {
    std::string url = realm->second + (realm->second.find('?') == std::string::npos ? "?" : "&");
    url += "service=" + kit::url_escape(service);
    for (const auto& s : all) url += "&scope=" + kit::url_escape(s);
    req.url = url;
    if (!c.username.empty()) {
      std::string b = base64_encode(c.username + ":" + c.password);
      kit::secrets().add(b);
      req.headers.push_back({"Authorization", "Basic " + b});
    }
  }
  auto r = http.send_with_retry(req, retry_);
  ++tokens_fetched_;
  if (!r.ok())
    throw kit::environment_error("token service " + kit::redact_url(realm->second) + " unreachable: " + r.error_message,
                                 "check the network path to the registry's token service");
  if (r.status == 401 || r.status == 403)
    throw kit::environment_error(registry + " refused the credentials from " + (c.empty() ? "anonymous" : c.source) +
                                     " (token service answered " + std::to_string(r.status) + ")",
                                 "check the user name and password or token, and that it may pull/push " +
                                     kit::join(std::vector<std::string>(all.begin(), all.end()), " "));
  if (r.status != 200)
    throw kit::environment_error("token service " + kit::redact_url(realm->second) + " answered HTTP " + std::to_string(r.status),
                                 "retry later; if it persists, check the registry status page");
  std::string token;
  try {
    auto j = nlohmann::json::parse(r.body);
    token = j.value("token", j.value("access_token", ""));
  } catch (...) {
  }
  if (token.empty())
    throw kit::environment_error("token service " + kit::redact_url(realm->second) + " returned no token",
                                 "check that the realm in the registry's challenge is a Docker token service");
  kit::secrets().add(token);
  kit::log::debug("fetched a registry token for " + registry + " (" + kit::join(std::vector<std::string>(all.begin(), all.end()), " ") + ")");
  return token;
}

}  // namespace image_promote
