#pragma once
// Who we are to a registry: credentials from flags, the environment or the docker config (with
// credential helpers), and the answer to a 401 challenge (Basic, or a Bearer token fetched from
// the realm with the scopes the operation needs). Shared by all threads; tokens are reused.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kit/env.hpp"
#include "kit/http.hpp"

namespace image_promote {

struct Credential {
  std::string username;
  std::string password;
  std::string identity_token;  // an OAuth2 refresh token (docker login with an identity provider)
  std::string source;          // "--username", "REGISTRY_USERNAME", "docker config (...)": for messages
  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

struct CredentialSources {
  std::optional<Credential> explicit_credential;  // --username + password, or REGISTRY_USERNAME/PASSWORD
  std::string explicit_for;                        // the one registry explicit_credential is for ("" = any)
  std::string github_token;                        // used for ghcr.io
  std::string github_actor;
  // The credential files, searched in this order as skopeo/podman do (containers-auth.json(5)):
  // $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json; then
  // $XDG_CONFIG_HOME/containers/auth.json (~/.config/...); then $DOCKER_CONFIG/config.json, else
  // ~/.docker/config.json. The first one that knows the registry wins; missing files are skipped.
  std::vector<std::string> auth_files;
};

CredentialSources credential_sources(const kit::Env& env, const std::string& username, const std::string& password);

// The credential for a registry (anonymous when none). Throws kit::Error(environment) when a
// credential helper fails, kit::Error(usage) when config.json is malformed.
Credential lookup_credential(const CredentialSources& sources, const std::string& registry);

struct Challenge {
  std::string scheme;  // "basic" or "bearer" (lower-cased)
  std::map<std::string, std::string> params;  // realm, service, scope
};
std::optional<Challenge> parse_challenge(const std::string& www_authenticate);

class Authenticator {
 public:
  Authenticator(CredentialSources sources, kit::TlsOptions tls, kit::RetryPolicy retry);

  // The Authorization header already known for this registry and scope set ("" if none).
  std::string cached(const std::string& registry, const std::vector<std::string>& scopes);
  // Answers a 401: returns the Authorization header to retry with. Throws kit::Error(environment)
  // when the registry or its token service refuses the credentials. `over_tls`: the registry is
  // spoken to over HTTPS, so its credentials never go to a plain-HTTP token realm (a downgrade).
  std::string answer(const std::string& registry, const std::string& www_authenticate,
                     const std::vector<std::string>& scopes, kit::HttpClient& http, bool over_tls);
  int tokens_fetched() const;
  std::string credential_source(const std::string& registry);

 private:
  Credential credential(const std::string& registry);
  std::string fetch_token(const std::string& registry, const Challenge& c, const std::vector<std::string>& scopes,
                          kit::HttpClient& http, bool over_tls);

  CredentialSources sources_;
  kit::TlsOptions tls_;
  kit::RetryPolicy retry_;
  mutable std::mutex mutex_;
  std::map<std::string, Credential> credentials_;
  std::map<std::string, std::string> headers_;  // registry|scopes -> Authorization value
  int tokens_fetched_ = 0;  // under mutex_
};

}  // namespace image_promote
