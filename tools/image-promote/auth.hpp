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
  std::string docker_config_dir;                   // $DOCKER_CONFIG or ~/.docker
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
  // when the registry or its token service refuses the credentials.
  std::string answer(const std::string& registry, const std::string& www_authenticate,
                     const std::vector<std::string>& scopes, kit::HttpClient& http);
  int tokens_fetched() const;
  std::string credential_source(const std::string& registry);

 private:
  Credential credential(const std::string& registry);
  std::string fetch_token(const std::string& registry, const Challenge& c, const std::vector<std::string>& scopes,
                          kit::HttpClient& http);

  CredentialSources sources_;
  kit::TlsOptions tls_;
  kit::RetryPolicy retry_;
  std::mutex mutex_;
  std::map<std::string, Credential> credentials_;
  std::map<std::string, std::string> headers_;  // registry|scopes -> Authorization value
  int tokens_fetched_ = 0;
};

}  // namespace image_promote
