#pragma once
// HTTP over libcurl. One HttpClient per thread (it keeps one connection cache).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kit/duration.hpp"
#include "kit/env.hpp"
#include "kit/retry.hpp"

namespace kit {

using Headers = std::vector<std::pair<std::string, std::string>>;

// What went wrong below HTTP: used to write "connection refused 12 times in 60s".
enum class TransportError { none, dns, connect, tls, timeout, reset, too_many_redirects, other };
const char* transport_error_name(TransportError e);

struct TlsOptions {
  std::string cacert;  // CA bundle file; else SSL_CERT_FILE / SSL_CERT_DIR; else OpenSSL's defaults
  bool insecure = false;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // Streamed upload instead of `body`: reader fills the buffer, returns bytes written (0 = end).
  std::function<size_t(char*, size_t)> body_reader;
  std::int64_t body_size = -1;
  // Streamed download: when set, the body goes here instead of the response (return false to abort).
  std::function<bool(const char*, size_t)> body_sink;
  Millis connect_timeout{5'000};
  Millis total_timeout{30'000};
  bool follow_redirects = false;
  int max_redirects = 10;
  // Headers that carry a credential besides those kit::is_secret_header recognises by name (e.g. a
  // header whose value came from a secret). Every secret header is sent to the request's origin
  // only: a redirect to another scheme, host or port drops them (libcurl drops only its own
  // Authorization and Cookie).
  std::vector<std::string> secret_headers;
  size_t max_body = 4 * 1024 * 1024;  // bytes kept; the rest is not read (response.truncated)
  // libcurl's receive and upload buffers (CURLOPT_BUFFERSIZE, CURLOPT_UPLOAD_BUFFERSIZE); 0 keeps
  // its defaults (16 KiB, 64 KiB). Bulk transfers set larger ones: fewer callbacks and syscalls.
  long receive_buffer = 0;
  long upload_buffer = 0;
  TlsOptions tls;
  // A request that changes something and must not be sent twice goes on a new connection: on a
  // reused one that turns out closed, libcurl sends the request again by itself, though the server
  // may have acted on the first (a gateway that resets after the restore was accepted).
  bool fresh_connection = false;
};

struct HttpResponse {
  long status = 0;
  Headers headers;  // names lower-cased
  std::string body;
  bool truncated = false;
  TransportError error = TransportError::none;
  std::string error_message;  // from libcurl, redacted
  Millis elapsed{0};
  std::string http_version;  // "1.0", "1.1" or "2" (ALPN-negotiated over TLS); "" without a response
  std::string effective_url;
  std::string redirect_url;  // where a 3xx points (absolute), when it was not followed
  // The server's Retry-After (delta-seconds or any HTTP-date form, read by libcurl), if any.
  std::optional<Millis> retry_after;
  std::optional<std::string> header(const std::string& name) const;  // case-insensitive, first
  bool ok() const { return error == TransportError::none; }
};

// Proxies (http_proxy, HTTP_PROXY, https_proxy, all_proxy, no_proxy, either case) and CA paths
// (SSL_CERT_FILE, SSL_CERT_DIR) are read from the client's kit::Env, never from the process
// directly, so a test can hand a client a made-up environment.
class HttpClient {
 public:
  HttpClient();  // the process environment
  explicit HttpClient(Env env);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One attempt. Never throws for HTTP or transport failures: they are in the response. A header
  // with a line break or NUL is refused before anything is sent (kit::Error, environment).
  HttpResponse send(const HttpRequest& request);

  // Retries transport errors, 429 and 5xx (502/503/504 and 500) with backoff; honours Retry-After.
  // A streamed upload is retried only if `rewind` is given and returns true.
  HttpResponse send_with_retry(const HttpRequest& request, const RetryPolicy& policy,
                               const std::function<bool()>& rewind = {});

  // How many requests this client has sent (for reports and benchmarks).
  std::uint64_t requests_sent() const { return requests_; }

 private:
  HttpResponse send_once(const HttpRequest& request);
  void* curl_;
  bool manual_redirects_ = false;  // send() is following redirects itself
  std::uint64_t requests_ = 0;
  Env env_;
};

bool is_retryable_status(long status);

// send_with_retry's rules, for tools that retry a whole operation (several requests) at once:
// transport errors other than DNS/TLS/redirect loops, 429 and 5xx are worth another attempt, and
// a 429/503's Retry-After says when.
bool worth_retrying(const HttpResponse& response);
// For a request that acts (RetryPolicy::acts): whether it may have been carried out although no
// success came back (a timeout, a reset, a 5xx); false when it surely was not (no connection, a
// TLS or DNS failure, a 4xx) or when it succeeded.
bool outcome_unknown(const HttpResponse& response);
std::optional<Millis> retry_after_of(const HttpResponse& response);

// "scheme://host:port" with the default port filled in and the host lower-cased; "" when `url`
// is not a URL. Two URLs with the same origin may share credentials.
std::string url_origin(const std::string& url);

// Whether `url` is an absolute http:// or https:// URL with a host (libcurl's URL parser).
bool is_http_url(const std::string& url);

}  // namespace kit
