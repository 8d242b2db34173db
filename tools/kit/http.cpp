#include "kit/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace kit {
namespace {

std::once_flag global_init;


struct Transfer {
  const HttpRequest* request;
  HttpResponse* response;
  bool aborted_by_sink = false;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (redirect or 100-continue) starts
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    t->response->headers.emplace_back(lower(line.substr(0, colon)), value);
  }
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->request->body_sink) {
    if (!t->request->body_sink(data, len)) {
      t->aborted_by_sink = true;
      return 0;
    }
    return len;
  }
  auto& body = t->response->body;
  if (body.size() + len > t->request->max_body) {
    // Keep what fits and stop reading: memory stays bounded whatever the server sends.
    body.append(data, t->request->max_body - body.size());
    t->response->truncated = true;
    return 0;
  }
  body.append(data, len);
  return len;
}

size_t on_read(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  return t->request->body_reader(buffer, size * n);
}

TransportError classify(CURLcode code) {
  switch (code) {
    case CURLE_OK: return TransportError::none;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return TransportError::dns;
    case CURLE_COULDNT_CONNECT: return TransportError::connect;
    case CURLE_OPERATION_TIMEDOUT: return TransportError::timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE: return TransportError::tls;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return TransportError::reset;
    case CURLE_TOO_MANY_REDIRECTS: return TransportError::too_many_redirects;
    default: return TransportError::other;
  }
}

const char* nonempty_env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// libcurl reads http_proxy, https_proxy, all_proxy and no_proxy (either case) on its own, but not
// the upper-case HTTP_PROXY: a CGI precaution, as a request's "Proxy:" header reaches a CGI
// program as HTTP_PROXY. This tool is no CGI program, and runners and corporate machines often
// set only the upper-case names, so HTTP_PROXY is honoured for http:// URLs when http_proxy is not
// set. no_proxy / NO_PROXY still apply: libcurl checks them for an explicit proxy too. (A redirect
// to https:// followed with --follow-redirects then tunnels through the same proxy.)
const char* upper_case_http_proxy(const std::string& url) {
  if (url.size() < 7 || lower(url.substr(0, 7)) != "http://") return nullptr;
  if (nonempty_env("http_proxy")) return nullptr;
  return nonempty_env("HTTP_PROXY");
}

}  // namespace

const char* transport_error_name(TransportError e) {
  switch (e) {
    case TransportError::none: return "none";
    case TransportError::dns: return "host not found";
    case TransportError::connect: return "connection refused";
    case TransportError::tls: return "TLS error";
    case TransportError::timeout: return "timed out";
    case TransportError::reset: return "connection reset";
    case TransportError::too_many_redirects: return "too many redirects";
    case TransportError::other: return "transfer failed";
  }
  return "transfer failed";
}

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  std::string key = lower(name);
  for (const auto& [k, v] : headers)
    if (k == key) return v;
  return std::nullopt;
}

bool is_retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

HttpClient::HttpClient() {
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::send(const HttpRequest& request) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  HttpResponse response;
  Transfer transfer{&request, &response};
  ++requests_;

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, static_cast<long>(request.max_redirects));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "yonima-deploy");
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  if (const char* proxy = upper_case_http_proxy(request.url)) curl_easy_setopt(c, CURLOPT_PROXY, proxy);

  // A static libcurl has no compiled-in CA path and ignores CURL_CA_BUNDLE: point it explicitly.
  // SSL_CERT_DIR is a hashed directory (openssl rehash), searched by subject hash at verification.
  const TlsOptions& tls = request.tls;
  if (!tls.cacert.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls.cacert.c_str());
  else if (const char* f = nonempty_env("SSL_CERT_FILE")) curl_easy_setopt(c, CURLOPT_CAINFO, f);
  if (const char* d = nonempty_env("SSL_CERT_DIR"); d && tls.cacert.empty()) curl_easy_setopt(c, CURLOPT_CAPATH, d);
  if (tls.insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }

  if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.body_reader) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &transfer);
    if (request.body_size >= 0) curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_size));
    if (request.method != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  curl_slist* header_list = nullptr;
  for (const auto& [k, v] : request.headers) header_list = curl_slist_append(header_list, (k + ": " + v).c_str());
  if (request.body_reader || !request.body.empty()) header_list = curl_slist_append(header_list, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list);

  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  auto start = std::chrono::steady_clock::now();
  CURLcode code = curl_easy_perform(c);
  response.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
  curl_slist_free_all(header_list);

  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  long version = 0;
  curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
  response.http_version = version == CURL_HTTP_VERSION_2_0   ? "2"
                          : version == CURL_HTTP_VERSION_1_1 ? "1.1"
                          : version == CURL_HTTP_VERSION_1_0 ? "1.0"
                                                             : "";  // no response
  char* effective = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective) response.effective_url = effective;

  bool our_abort = code == CURLE_WRITE_ERROR && (response.truncated || transfer.aborted_by_sink);
  if (code != CURLE_OK && !our_abort) {
    response.error = classify(code);
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(code);
    response.error_message = secrets().redact(detail);
  }
  return response;
}

bool worth_retrying(const HttpResponse& r) {
  if (!r.ok())
    return r.error != TransportError::dns && r.error != TransportError::tls && r.error != TransportError::too_many_redirects;
  return is_retryable_status(r.status);
}

std::optional<Millis> retry_after_of(const HttpResponse& r) {
  if (!r.ok() || (r.status != 429 && r.status != 503)) return std::nullopt;
  auto h = r.header("retry-after");
  if (!h) return std::nullopt;
  return parse_retry_after(*h, std::time(nullptr));
}

HttpResponse HttpClient::send_with_retry(const HttpRequest& request, const RetryPolicy& policy,
                                         const std::function<bool()>& rewind) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  HttpResponse response;
  for (int attempt = 1;; ++attempt) {
    response = send(request);
    if (!worth_retrying(response) || attempt >= policy.max_attempts) return response;
    if (request.body_reader && (!rewind || !rewind())) return response;
    std::optional<Millis> retry_after = retry_after_of(response);
    if (retry_after && *retry_after > policy.max_retry_after) return response;
    Millis delay = backoff_delay(policy, attempt, rng, retry_after);
    log::debug(request.method + " " + redact_url(request.url) + ": " +
               (response.ok() ? "HTTP " + std::to_string(response.status) : std::string(transport_error_name(response.error))) +
               ", retrying in " + format_duration(delay));
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace kit
