#pragma once
// What a registry said when a request failed, as a value (after go-containerregistry's
// transport.Error): which step, the HTTP status, the OCI error code and message from the body,
// or the transport failure below HTTP. Callers decide on these fields, never on message text.
#include <string>

#include "kit/error.hpp"
#include "kit/http.hpp"

namespace image_promote {

// The operation a failed request belonged to; chooses the hint.
enum class RegistryStep { manifest_read, manifest_write, blob_check, blob_mount, blob_read, upload_start, blob_upload,
                          referrers, token, other };

struct RegistryFailure {
  RegistryStep step = RegistryStep::other;
  std::string what;      // "GET manifest yonima/backend:production"
  std::string registry;  // "ghcr.io"
  long status = 0;       // 0 when the request got no answer
  std::string code;      // OCI error code ("MANIFEST_UNKNOWN"), "" when the body had none
  std::string detail;    // the OCI error message
  kit::TransportError transport = kit::TransportError::none;
  std::string transport_message;

  // "HTTP 400 MANIFEST_INVALID: manifest invalid" or "connection refused: ..."
  std::string describe() const;
};

// From a response: status, the first OCI error of its body, or its transport error.
RegistryFailure failure_of(RegistryStep step, const std::string& what, const std::string& registry,
                           const kit::HttpResponse& response);

// A registry request that failed after its retries. Category environment (exit 3): the registry
// or the network, not the user's input. Whether anything changed is for the caller to say.
class RegistryError : public kit::Error {
 public:
  RegistryError(RegistryFailure failure, std::string hint);
  const RegistryFailure& failure() const { return failure_; }

 private:
  RegistryFailure failure_;
};

}  // namespace image_promote
