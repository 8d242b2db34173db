#include "kit/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <mutex>
#include <thread>

#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace kit {
namespace {

std::once_flag global_init;


struct Transfer {
  const HttpRequest* request;
  HttpResponse* response;
  CURL* handle = nullptr;
  bool aborted_by_sink = false;
  bool drop_redirect_body = false;  // a hop of a redirect chain followed by HttpClient::send
  bool in_body = false;             // header lines from now on are trailers
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (redirect or 100-continue) starts
    t->in_body = false;
    return size * n;
  }
  // Trailers (after a chunked body) are not the response's headers: a check that reads a header
  // must not be satisfied by a value sent after the body. The blank line ends the header block
  // (an empty chunked body calls no body callback before its trailers).
  if (t->in_body) return size * n;
  if (line.empty()) {
    t->in_body = true;
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    // Optional whitespace around a field value is not part of it (RFC 9110, 5.5).
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    t->response->headers.emplace_back(lower(line.substr(0, colon)), value);
  }
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  t->in_body = true;
  if (t->drop_redirect_body) {
    long status = 0;
    curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300 && status <= 399) return len;
  }
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

// The proxy for a URL, read the way curl reads its environment, plus the upper-case HTTP_PROXY.
// curl ignores HTTP_PROXY as a CGI precaution (a request's "Proxy:" header reaches a CGI program
// as HTTP_PROXY); this tool is no CGI program, and runners and corporate machines often set only
// the upper-case names, so HTTP_PROXY counts for http:// URLs when http_proxy is not set. Setting
// CURLOPT_PROXY explicitly (to "" for none) keeps libcurl from reading the process environment.
std::string proxy_for(const std::string& url, const Env& env) {
  std::string scheme = lower(url.substr(0, url.find("://")));
  std::optional<std::string> proxy;
  if (scheme == "http") {
    proxy = env.get("http_proxy");
    if (!proxy) proxy = env.get("HTTP_PROXY");
  } else if (scheme == "https") {
    proxy = env.get("https_proxy");
    if (!proxy) proxy = env.get("HTTPS_PROXY");
  }
  if (!proxy) proxy = env.get("all_proxy");
  if (!proxy) proxy = env.get("ALL_PROXY");
  return proxy.value_or("");
}

bool is_declared_secret(const HttpRequest& request, const std::string& name) {
  if (is_secret_header(name)) return true;
  for (const auto& s : request.secret_headers)
    if (lower(s) == lower(name)) return true;
  return false;
}

bool has_secret_header(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers)
    if (is_declared_secret(request, name)) return true;
  return false;
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

HttpClient::HttpClient() : HttpClient(Env()) {}

HttpClient::HttpClient(Env env) : env_(std::move(env)) {
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::send(const HttpRequest& request) {
  if (!request.follow_redirects || !has_secret_header(request)) return send_once(request);
  // Redirects are followed here rather than by libcurl, so that secret headers stay with the
  // origin they were meant for. The body of a redirect is dropped, as libcurl drops it: a
  // streamed download (body_sink) gets the final answer's bytes only.
  HttpRequest hop = request;
  hop.follow_redirects = false;
  manual_redirects_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{manual_redirects_};
  const std::string origin = url_origin(request.url);
  Millis spent{0};
  for (int redirects = 0;; ++redirects) {
    HttpResponse r = send_once(hop);
    spent += r.elapsed;
    r.elapsed = spent;
    if (!r.ok() || r.status < 300 || r.status > 399 || r.redirect_url.empty()) return r;
    if (redirects >= request.max_redirects || !is_http_url(r.redirect_url)) {
      r.error = redirects >= request.max_redirects ? TransportError::too_many_redirects : TransportError::other;
      r.error_message = redirects >= request.max_redirects
                            ? "more than " + std::to_string(request.max_redirects) + " redirects"
                            : "redirect to a URL that is not http(s): " + secrets().redact(r.redirect_url);
      return r;
    }
    hop.url = r.redirect_url;
    if (url_origin(hop.url) != origin)
      std::erase_if(hop.headers, [&](const auto& header) { return is_declared_secret(request, header.first); });
    // As browsers and libcurl do: 303 turns into GET, and so do 301/302 after a POST.
    if (r.status == 303 || ((r.status == 301 || r.status == 302) && hop.method == "POST")) {
      if (hop.method != "HEAD") hop.method = "GET";
      hop.body.clear();
      hop.body_reader = nullptr;
    }
    hop.total_timeout = request.total_timeout - spent;
    if (hop.total_timeout.count() <= 0) {
      r.error = TransportError::timeout;
      r.error_message = "redirects took longer than " + format_duration(request.total_timeout);
      return r;
    }
  }
}

HttpResponse HttpClient::send_once(const HttpRequest& request) {
  CURL* c = static_cast<CURL*>(curl_);
  // libcurl sends a header line as given: a line break in a value (a token pasted with its newline,
  // a token server's answer) would end the headers early or forge new ones. The value is not shown.
  for (const auto& [k, v] : request.headers)
    if ((k + v).find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
      throw environment_error("refused to send " + request.method + " " + redact_url(request.url) + ": the value of header " +
                                  escape_controls(k) + " contains a line break or NUL (it would end the header and forge others)",
                              "check where that value comes from: a token or password with a line break inside it");
  curl_easy_reset(c);
  HttpResponse response;
  Transfer transfer{&request, &response, c};
  transfer.drop_redirect_body = manual_redirects_;
  ++requests_;

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, request.fresh_connection ? 1L : 0L);
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
  if (request.receive_buffer > 0) curl_easy_setopt(c, CURLOPT_BUFFERSIZE, request.receive_buffer);
  if (request.upload_buffer > 0) curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, request.upload_buffer);
  std::string proxy = proxy_for(request.url, env_);
  curl_easy_setopt(c, CURLOPT_PROXY, proxy.c_str());
  // no_proxy applies to an explicit proxy too (names, domains, IPs, CIDR, *).
  // Always set: left unset, libcurl would read no_proxy from the process environment itself.
  std::string no_proxy = env_.get("no_proxy").value_or(env_.get("NO_PROXY").value_or(""));
  curl_easy_setopt(c, CURLOPT_NOPROXY, no_proxy.c_str());

  // A static libcurl has no compiled-in CA path and ignores CURL_CA_BUNDLE: point it explicitly.
  // SSL_CERT_DIR is a hashed directory (openssl rehash), searched by subject hash at verification.
  const TlsOptions& tls = request.tls;
  if (!tls.cacert.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls.cacert.c_str());
  std::optional<std::string> ca_file = env_.get("SSL_CERT_FILE"), ca_dir = env_.get("SSL_CERT_DIR");
  if (tls.cacert.empty() && ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file->c_str());
  if (tls.cacert.empty() && ca_dir) curl_easy_setopt(c, CURLOPT_CAPATH, ca_dir->c_str());
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
  char* redirect = nullptr;
  curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect);
  if (redirect) response.redirect_url = redirect;
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
    response.retry_after = Millis(std::min<curl_off_t>(retry_after, 7 * 24 * 3600) * 1000);

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

bool outcome_unknown(const HttpResponse& r) {
  if (!r.ok())
    return r.error != TransportError::dns && r.error != TransportError::connect && r.error != TransportError::tls &&
           r.error != TransportError::too_many_redirects;
  return r.status >= 500;
}

std::optional<Millis> retry_after_of(const HttpResponse& r) {
  if (!r.ok() || (r.status != 429 && r.status != 503)) return std::nullopt;
  if (r.retry_after) return r.retry_after;
  // libcurl reports 0 both for "Retry-After: 0" and for no header; a header asking for no wait
  // is still an answer.
  auto h = r.header("retry-after");
  if (!h) return std::nullopt;
  return parse_retry_after(*h, std::time(nullptr));
}

std::string url_origin(const std::string& url) {
  CURLU* u = curl_url();
  std::string out;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char *scheme = nullptr, *host = nullptr, *port = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
      out = lower(scheme) + "://" + lower(host) + ":" + port;
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(u);
  return out;
}

bool is_http_url(const std::string& url) {
  CURLU* u = curl_url();
  bool ok = false;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char *scheme = nullptr, *host = nullptr;
    ok = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
         host && *host && (lower(scheme) == "http" || lower(scheme) == "https");
    curl_free(scheme);
    curl_free(host);
  }
  curl_url_cleanup(u);
  return ok;
}

HttpResponse HttpClient::send_with_retry(const HttpRequest& request, const RetryPolicy& policy,
                                         const std::function<bool()>& rewind) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  HttpResponse response;
  for (int attempt = 1;; ++attempt) {
    response = send(request);
    bool again = policy.acts ? (!response.ok() ? response.error == TransportError::connect : response.status == 429)
                             : worth_retrying(response);
    if (!again || attempt >= policy.max_attempts) return response;
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
