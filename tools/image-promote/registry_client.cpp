#include "image-promote/registry_client.hpp"

#include <algorithm>
#include <ctime>
#include <random>
#include <thread>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "image-promote/digest.hpp"
#include "image-promote/reference.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "kit/untrusted_json.hpp"

namespace image_promote {
namespace {

constexpr kit::Millis kManifestTimeout{60'000};
constexpr kit::Millis kBlobTimeout{3'600'000};
// libcurl's buffers for blob bodies (defaults: 16 KiB in, 64 KiB out). Larger ones mean fewer
// syscalls and callbacks (each a lock on the streaming pipe) for the same bytes; per job they
// cost what they hold, so RSS stays bounded (bench/image-promote: measured, not guessed).
constexpr long kBlobReceiveBuffer = 128 << 10;
constexpr long kBlobUploadBuffer = 256 << 10;

// A blob's bytes as they arrive, held to its descriptor: the size is a promise, so one byte past
// it stops the transfer before it is kept anywhere (a registry streaming without end must not fill
// the disk); at the end the bytes must hash to the digest.
struct BlobIntake {
  explicit BlobIntake(const Descriptor& d) : blob(d) {}
  const Descriptor& blob;
  Sha256 hash;
  std::int64_t got = 0;
  bool oversized = false;

  bool take(const char* data, size_t n) {
    if (static_cast<std::int64_t>(n) > blob.size - got) {
      oversized = true;
      return false;
    }
    hash.update(data, n);
    std::int64_t before = got;
    got += static_cast<std::int64_t>(n);
    // Progress for large blobs, every 64 MiB, so a long copy shows it is alive.
    constexpr std::int64_t step = 64 << 20;
    if (blob.size >= 2 * step && got / step != before / step)
      kit::log::info(blob.digest.substr(0, 19) + ": " + std::to_string(got >> 20) + " of " + std::to_string(blob.size >> 20) + " MiB");
    return true;
  }
  void restart() {
    hash.reset();
    got = 0;
  }
  void refuse_oversized(const std::string& where) const {
    if (oversized)
      throw kit::environment_error("blob " + blob.digest + " from " + where + " is larger than the " + std::to_string(blob.size) +
                                       " bytes its descriptor declares; the download was stopped",
                                   "the source registry or a proxy sends more than the manifest says: do not promote this image");
  }
  void verify(const std::string& where) {
    std::string d = hash.digest();
    if (d != blob.digest || got != blob.size)
      throw kit::environment_error("blob " + blob.digest + " from " + where + " does not match its digest (got " + d + ", " +
                                       std::to_string(got) + " bytes)",
                                   "the source registry or a proxy altered the data; nothing was promoted");
  }
};

kit::HttpRequest blob_request(std::string url) {
  kit::HttpRequest req;
  req.url = std::move(url);
  req.follow_redirects = true;
  req.total_timeout = kBlobTimeout;
  req.receive_buffer = kBlobReceiveBuffer;
  return req;
}

// The URL of the next page from a Link header (`<url>; rel="next"`), "" when there is none.
std::string next_link(const std::string& link) {
  size_t pos = 0;
  while (pos < link.size()) {
    size_t lt = link.find('<', pos);
    size_t gt = lt == std::string::npos ? lt : link.find('>', lt);
    if (gt == std::string::npos) return "";
    size_t end = link.find(",", gt);  // URLs are inside <>, so a comma after > ends this link
    std::string params = link.substr(gt + 1, end == std::string::npos ? std::string::npos : end - gt - 1);
    std::string lower = kit::lower(params);
    lower.erase(std::remove(lower.begin(), lower.end(), ' '), lower.end());
    if (lower.find("rel=\"next\"") != std::string::npos || lower.find("rel=next") != std::string::npos)
      return link.substr(lt + 1, gt - lt - 1);
    if (end == std::string::npos) return "";
    pos = end + 1;
  }
  return "";
}

}  // namespace

std::string next_page_url(const std::string& link_header) { return next_link(link_header); }

bool is_insecure(const ClientOptions& options, const std::string& registry) {
  return std::find(options.insecure_registries.begin(), options.insecure_registries.end(), registry) !=
         options.insecure_registries.end();
}

std::FILE* open_temp_file(const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs) {
    std::string path = dir + "/image-promote-blob-XXXXXX";
    int fd = mkstemp(path.data());
    if (fd < 0) continue;
    unlink(path.c_str());  // anonymous: gone when closed, even if we crash
    if (std::FILE* f = fdopen(fd, "w+b")) return f;
    close(fd);
  }
  throw kit::environment_error("could not create a temporary file for a blob in $TMPDIR, /tmp, /var/tmp or the working directory",
                               "set TMPDIR to a writable directory with room for the largest layer");
}

std::string resolve_location(const std::string& base, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  if (!location.empty() && location[0] == '/') return base + location;
  return base + "/" + location;
}

RegistryClient::RegistryClient(std::string registry, const ClientOptions& options, Authenticator& auth,
                               std::vector<std::string> scopes, Traffic& traffic)
    : registry_(std::move(registry)), options_(options), auth_(auth), scopes_(std::move(scopes)), traffic_(traffic) {
  base_ = std::string(is_insecure(options_, registry_) ? "http://" : "https://") + api_host(registry_);
}

std::string RegistryClient::url(const std::string& path) const { return base_ + path; }

kit::Millis RegistryClient::time_left(kit::Millis cap) const {
  if (!options_.deadline) return cap;
  // Rounded up: a request cut to what is left then ends at or after the deadline, so a timeout
  // there is recognised as the run's --timeout (truncated, it ended up to 1 ms early; seen in CI).
  auto left = std::chrono::ceil<kit::Millis>(*options_.deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0)
    throw kit::environment_error("gave up on " + registry_ + " after --timeout " + kit::format_duration(options_.timeout) +
                                     " (the registry is too slow or not answering)",
                                 "retry later, or raise --timeout for very large images on slow links");
  return std::min(cap, left);
}

kit::Millis RegistryClient::remaining(kit::Millis cap) const {
  if (!options_.deadline) return cap;
  auto left = std::chrono::ceil<kit::Millis>(*options_.deadline - std::chrono::steady_clock::now());
  return std::clamp(left, kit::Millis(0), cap);
}

kit::HttpResponse RegistryClient::attempts(kit::HttpRequest request, const kit::RetryPolicy& policy,
                                           const std::function<bool()>& rewind) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const kit::Millis timeout = request.total_timeout;
  for (int attempt = 1;; ++attempt) {
    request.total_timeout = time_left(timeout);
    request.connect_timeout = std::min(request.connect_timeout, request.total_timeout);
    auto response = http_.send(request);
    if (!kit::worth_retrying(response) || attempt >= policy.max_attempts) return response;
    if (request.body_reader && (!rewind || !rewind())) return response;
    auto retry_after = kit::retry_after_of(response);
    if (retry_after && *retry_after > policy.max_retry_after) return response;
    kit::Millis delay = kit::backoff_delay(policy, attempt, rng, retry_after);
    if (options_.deadline && std::chrono::steady_clock::now() + delay >= *options_.deadline) return response;
    kit::log::debug(request.method + " " + kit::redact_url(request.url) + ": " +
                    failure_of(RegistryStep::other, "", registry_, response).describe() + ", retrying in " +
                    kit::format_duration(delay));
    std::this_thread::sleep_for(delay);
  }
}

kit::HttpResponse RegistryClient::send(kit::HttpRequest request, const std::function<bool()>& rewind, bool once) {
  request.tls = options_.tls;
  kit::RetryPolicy policy = options_.retry;
  if (once) policy.max_attempts = 1;
  auto with_auth = [&](const std::string& header) {
    kit::HttpRequest r = request;
    if (!header.empty()) r.headers.push_back({"Authorization", header});
    return r;
  };
  // Every HTTP attempt counts, retries and token fetches included (they go through http_ too).
  struct Count {
    Traffic& traffic;
    kit::HttpClient& http;
    std::uint64_t before = http.requests_sent();
    ~Count() { traffic.requests += http.requests_sent() - before; }
  } count{traffic_, http_};
  std::string header = auth_.cached(registry_, scopes_);
  auto response = attempts(with_auth(header), policy, rewind);
  if (response.ok() && response.status == 401) {
    auto challenge = response.header("www-authenticate");
    if (!challenge)
      throw kit::environment_error(registry_ + " answered 401 to " + request.method + " " + kit::redact_url(request.url) +
                                       " without saying how to authenticate",
                                   "check the registry address; a proxy in front of it may be rejecting us");
    if (rewind && !rewind())
      throw kit::environment_error("could not rewind an upload to " + registry_ + " for authentication");
    header = auth_.answer(registry_, *challenge, scopes_, http_, base_.rfind("https://", 0) == 0);
    response = attempts(with_auth(header), policy, rewind);
    if (response.ok() && response.status == 401)
      throw kit::environment_error(registry_ + " refused the credentials from " + auth_.credential_source(registry_) +
                                       " for " + request.method + " " + kit::redact_url(request.url),
                                   "check the user name and password or token and its permissions on the repository");
  }
  if (response.ok()) {
    if (auto left = response.header("ratelimit-remaining")) {
      int n = std::atoi(left->c_str());
      if (n < 20) kit::log::warn(registry_ + " rate limit: " + *left + " requests left (" + response.header("ratelimit-limit").value_or("?") + ")");
    }
  }
  return response;
}

void RegistryClient::fail(RegistryStep step, const std::string& what, const kit::HttpResponse& r) {
  RegistryFailure f = failure_of(step, what, registry_, r);
  std::string hint = "retry later; if it persists, check the registry's status and logs";
  if (f.status == 403) hint = "the credentials in use may not push/pull this repository: check their permissions";
  if (step == RegistryStep::blob_upload && f.status == 400)
    hint = "the blob does not match its digest; the source may be corrupt";
  if (f.transport == kit::TransportError::tls)
    hint = "for a plain-HTTP registry pass --insecure-registry " + registry_ + "; else pass --cacert with its CA";
  if (f.transport == kit::TransportError::connect)
    hint = "check that " + registry_ + " is reachable; for plain HTTP pass --insecure-registry " + registry_;
  // A little slack: libcurl's own timer may fire a few milliseconds before ours says the deadline passed.
  if (f.transport == kit::TransportError::timeout && options_.deadline &&
      std::chrono::steady_clock::now() + kit::Millis(50) >= *options_.deadline)
    hint = "the run's --timeout " + kit::format_duration(options_.timeout) + " passed; retry later or raise it";
  throw RegistryError(std::move(f), hint);
}

std::optional<Manifest> RegistryClient::get_manifest(const std::string& repo, const std::string& reference) {
  kit::HttpRequest req;
  req.url = url("/v2/" + repo + "/manifests/" + reference);
  req.headers = {{"Accept", media::accept_header()}};
  req.total_timeout = kManifestTimeout;
  auto r = send(req);
  if (r.ok() && r.status == 404) return std::nullopt;
  if (!r.ok() || r.status != 200) fail(RegistryStep::manifest_read, "GET manifest " + repo + ":" + reference, r);
  if (r.truncated) throw kit::environment_error("manifest " + repo + ":" + reference + " is larger than 4 MiB");
  Manifest m = parse_manifest(r.body, r.header("content-type").value_or(""));
  std::string expected = valid_digest(reference) ? reference : r.header("docker-content-digest").value_or("");
  if (!expected.empty() && expected != m.digest)
    throw kit::environment_error("manifest " + repo + ":" + reference + " does not match its digest (expected " + expected +
                                     ", got " + m.digest + ")",
                                 "the registry or a proxy altered the manifest; do not promote it");
  return m;
}

std::optional<std::string> RegistryClient::head_manifest(const std::string& repo, const std::string& reference) {
  kit::HttpRequest req;
  req.method = "HEAD";
  req.url = url("/v2/" + repo + "/manifests/" + reference);
  req.headers = {{"Accept", media::accept_header()}};
  req.total_timeout = kManifestTimeout;
  auto r = send(req);
  if (r.ok() && r.status == 404) return std::nullopt;
  if (!r.ok() || r.status != 200) fail(RegistryStep::manifest_read, "HEAD manifest " + repo + ":" + reference, r);
  if (auto d = r.header("docker-content-digest"); d && valid_digest(*d)) return *d;
  // Registries may omit the header on HEAD: fall back to GET and hash the body.
  auto m = get_manifest(repo, reference);
  if (!m) return std::nullopt;
  return m->digest;
}

bool RegistryClient::put_manifest_checked(const std::string& repo, const std::string& reference,
                                          const std::string& media_type, const std::string& body, std::string& error,
                                          bool* confirmed) {
  if (confirmed) *confirmed = false;
  kit::HttpRequest req;
  req.method = "PUT";
  req.url = url("/v2/" + repo + "/manifests/" + reference);
  req.headers = {{"Content-Type", media_type}};
  req.body = body;
  req.total_timeout = kManifestTimeout;
  auto r = send(req);
  if (!r.ok() || (r.status != 201 && r.status != 200)) {
    error = failure_of(RegistryStep::manifest_write, "", registry_, r).describe();
    return false;
  }
  std::string expected = sha256_digest(body);
  auto d = r.header("docker-content-digest");
  if (d && *d != expected) {
    error = "the registry stored digest " + *d + " instead of " + expected;
    return false;
  }
  if (confirmed) *confirmed = d.has_value();
  return true;
}

bool RegistryClient::try_put_manifest(const std::string& repo, const std::string& reference,
                                      const std::string& media_type, const std::string& body, std::string& error,
                                      bool* confirmed) {
  try {
    return put_manifest_checked(repo, reference, media_type, body, error, confirmed);
  } catch (const kit::Error& e) {
    // A 401 after re-authenticating, a token service down: the write did not happen (or, after a
    // lost answer, may have): the caller reads the tag back either way.
    error = e.what();
    return false;
  }
}

void RegistryClient::put_manifest(const std::string& repo, const std::string& reference, const std::string& media_type,
                                  const std::string& body) {
  std::string error;
  if (!put_manifest_checked(repo, reference, media_type, body, error, nullptr))
    throw kit::environment_error("PUT manifest " + repo + ":" + reference + " on " + registry_ + " failed: " + error,
                                 "retry; if it persists, check that the credentials may push to " + repo);
}

bool RegistryClient::blob_exists(const std::string& repo, const std::string& digest) {
  kit::HttpRequest req;
  req.method = "HEAD";
  req.url = url("/v2/" + repo + "/blobs/" + digest);
  req.follow_redirects = true;
  auto r = send(req);
  if (r.ok() && r.status == 200) return true;
  if (r.ok() && r.status == 404) return false;
  fail(RegistryStep::blob_check, "HEAD blob " + repo + "@" + digest, r);
}

void RegistryClient::ensure_small_blob(const std::string& repo, const std::string& digest, const std::string& bytes,
                                       const std::string& from_repo) {
  kit::HttpRequest req;
  req.method = "POST";
  req.url = url("/v2/" + repo + "/blobs/uploads/?mount=" + digest + "&from=" + from_repo);
  auto r = send(req);
  if (r.ok() && r.status == 201) return;
  if (r.ok() && r.status == 202 && r.header("location")) {
    // Not mounted: the session the registry opened instead takes the bytes (monolithic PUT with
    // ?digest=, verified by the registry before it keeps anything).
    std::string loc = resolve_location(base_, *r.header("location"));
    loc += (loc.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + digest;
    kit::HttpRequest put;
    put.method = "PUT";
    put.url = loc;
    put.headers = {{"Content-Type", "application/octet-stream"}};
    put.body = bytes;
    put.total_timeout = kManifestTimeout;
    auto p = send(put, {}, true);
    if (p.ok() && (p.status == 201 || p.status == 204)) {
      traffic_.bytes_uploaded += static_cast<std::int64_t>(bytes.size());
      return;
    }
    // A failed PUT may leave the session unusable: the retried path opens new ones.
    upload_bytes(repo, digest, bytes);
    return;
  }
  if (!blob_exists(repo, digest)) upload_bytes(repo, digest, bytes);
}

std::optional<std::vector<std::string>> RegistryClient::list_tags_between(const std::string& repo,
                                                                          const std::string& after,
                                                                          const std::string& until, int max_pages) {
  std::vector<std::string> out;
  std::string last;
  bool sorted = true;  // the spec says lexical order; a list that is not cannot end the search early
  constexpr size_t kPage = 100;
  std::string next = url("/v2/" + repo + "/tags/list?n=" + std::to_string(kPage) + "&last=" + after);
  for (int page = 0; !next.empty(); ++page) {
    if (page >= max_pages) return std::nullopt;
    kit::HttpRequest req;
    req.url = next;
    req.total_timeout = kManifestTimeout;
    kit::HttpResponse r;
    try {
      r = send(req);
    } catch (const kit::Error&) {
      // A 401 after re-authenticating (the list may need a right the HEADs do not), a token
      // service down: the caller's HEADs decide, as they did before there was a list.
      return std::nullopt;
    }
    if (!r.ok() || r.status != 200 || r.truncated) return std::nullopt;
    auto j = kit::parse_untrusted_json(r.body, 4);
    if (!j.is_object() || !j.contains("tags")) return std::nullopt;
    const auto& tags = j["tags"];
    if (tags.is_null()) return out;  // no tags at all
    if (!tags.is_array()) return std::nullopt;
    for (const auto& t : tags) {
      if (!t.is_string()) return std::nullopt;
      out.push_back(t.get<std::string>());
      if (out.back() < last) sorted = false;
      last = out.back();
    }
    next = "";
    const bool read_on = !sorted || last.empty() || last <= until;
    if (auto link = r.header("link"); link && read_on) {
      std::string n = next_link(*link);
      if (!n.empty()) next = resolve_location(base_, n);
    }
    // A full page with no next link that does not reach past the cosign tags: a registry that
    // honours n but not last (nor sends Link) has more it will not page to. Taking this as the
    // whole list would silently skip the signatures; the caller's HEADs decide instead.
    if (next.empty() && read_on && tags.size() >= kPage) return std::nullopt;
  }
  return out;
}

bool RegistryClient::mount_blob(const std::string& repo, const std::string& digest, const std::string& from_repo) {
  kit::HttpRequest req;
  req.method = "POST";
  req.url = url("/v2/" + repo + "/blobs/uploads/?mount=" + digest + "&from=" + from_repo);
  auto r = send(req);
  if (r.ok() && r.status == 201) return true;
  if (r.ok() && r.status == 202) {
    // Not mounted: the registry opened an upload session instead; close it.
    if (auto loc = r.header("location")) {
      kit::HttpRequest del;
      del.method = "DELETE";
      del.url = resolve_location(base_, *loc);
      send(del);
    }
    return false;
  }
  fail(RegistryStep::blob_mount, "mount " + digest + " from " + from_repo + " into " + repo, r);
}

std::optional<kit::HttpResponse> RegistryClient::retry_operation(
    const std::string& what, const std::function<std::optional<kit::HttpResponse>()>& attempt) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  int attempts = std::max(1, options_.retry.max_attempts);
  for (int n = 1;; ++n) {
    auto failed = attempt();
    if (!failed) return std::nullopt;
    if (!kit::worth_retrying(*failed) || n >= attempts) return failed;
    auto wait = kit::retry_after_of(*failed);
    if (wait && *wait > options_.retry.max_retry_after) return failed;  // not worth waiting for
    kit::Millis delay = kit::backoff_delay(options_.retry, n, rng, wait);
    if (options_.deadline && std::chrono::steady_clock::now() + delay >= *options_.deadline) return failed;
    kit::log::debug(what + ": " + failure_of(RegistryStep::other, "", registry_, *failed).describe() + ", retrying in " +
                    kit::format_duration(delay));
    std::this_thread::sleep_for(delay);
  }
}

void RegistryClient::download_blob(const std::string& repo, const Descriptor& blob, std::FILE* file) {
  BlobIntake intake(blob);
  bool write_failed = false;
  kit::HttpRequest req = blob_request(url("/v2/" + repo + "/blobs/" + blob.digest));
  req.body_sink = [&](const char* data, size_t n) {
    if (!intake.take(data, n)) return false;
    if (std::fwrite(data, 1, n, file) != n) {
      write_failed = true;
      return false;
    }
    return true;
  };
  // Each attempt starts from an empty file and a fresh hash.
  auto restart = [&] {
    std::rewind(file);
    if (ftruncate(fileno(file), 0) != 0) write_failed = true;
    intake.restart();
    return true;
  };
  auto failed = retry_operation("GET blob " + blob.digest.substr(0, 19), [&]() -> std::optional<kit::HttpResponse> {
    restart();
    auto r = send(req, restart, true);
    // Neither a full disk nor a blob larger than declared is worth another attempt.
    if (write_failed || intake.oversized || (r.ok() && r.status == 200)) return std::nullopt;
    return r;
  });
  intake.refuse_oversized(registry_ + "/" + repo);
  if (write_failed) throw kit::environment_error("could not write a temporary file for blob " + blob.digest, "check free space in $TMPDIR");
  if (failed) fail(RegistryStep::blob_read, "GET blob " + repo + "@" + blob.digest, *failed);
  std::fflush(file);
  intake.verify(registry_ + "/" + repo);
  traffic_.bytes_downloaded += intake.got;
}

void RegistryClient::upload_blob(const std::string& repo, const Descriptor& blob, std::FILE* file) {
  RegistryStep step = RegistryStep::upload_start;  // which request of the last attempt failed
  std::string what;
  auto failed = retry_operation("upload " + blob.digest.substr(0, 19), [&]() -> std::optional<kit::HttpResponse> {
    // A failed PUT may leave its session unusable, so each attempt opens a new one.
    kit::HttpRequest open;
    open.method = "POST";
    open.url = url("/v2/" + repo + "/blobs/uploads/");
    auto r = send(open, {}, true);
    if (!r.ok() || r.status != 202 || !r.header("location")) {
      step = RegistryStep::upload_start;
      what = "start upload to " + repo + (r.ok() && r.status == 202 ? " (no Location in the answer)" : "");
      return r;
    }
    std::string loc = resolve_location(base_, *r.header("location"));
    loc += (loc.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + blob.digest;
    std::rewind(file);
    std::int64_t sent = 0;
    kit::HttpRequest put;
    put.method = "PUT";
    put.url = loc;
    put.headers = {{"Content-Type", "application/octet-stream"}};
    put.body_size = blob.size;
    put.total_timeout = kBlobTimeout;
    put.upload_buffer = kBlobUploadBuffer;
    put.body_reader = [&](char* buf, size_t n) {
      // Never more than the blob's size, whatever else the file holds.
      n = static_cast<size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(n), blob.size - sent));
      size_t got = n ? std::fread(buf, 1, n, file) : 0;
      sent += static_cast<std::int64_t>(got);
      return got;
    };
    auto rewind = [&] {
      std::rewind(file);
      sent = 0;
      return true;
    };
    auto p = send(put, rewind, true);
    if (p.ok() && (p.status == 201 || p.status == 204)) return std::nullopt;
    step = RegistryStep::blob_upload;
    what = "upload of " + blob.digest + " to " + repo;
    return p;
  });
  if (!failed) {
    traffic_.bytes_uploaded += blob.size;
    return;
  }
  fail(step, what, *failed);
}

void RegistryClient::download_blob_stream(const std::string& repo, const Descriptor& blob,
                                          const std::function<bool(const char*, size_t)>& sink) {
  BlobIntake intake(blob);
  bool refused = false;
  kit::HttpRequest req = blob_request(url("/v2/" + repo + "/blobs/" + blob.digest));
  req.body_sink = [&](const char* data, size_t n) {
    if (!intake.take(data, n)) return false;
    if (!sink(data, n)) {
      refused = true;
      return false;
    }
    return true;
  };
  auto r = send(req, {}, true);
  intake.refuse_oversized(registry_ + "/" + repo);
  if (refused) throw kit::environment_error("the upload side of a streamed copy of " + blob.digest + " stopped");
  if (!r.ok() || r.status != 200) fail(RegistryStep::blob_read, "GET blob " + repo + "@" + blob.digest, r);
  intake.verify(registry_ + "/" + repo);
  traffic_.bytes_downloaded += intake.got;
}

void RegistryClient::upload_blob_stream(const std::string& repo, const Descriptor& blob,
                                        const std::function<size_t(char*, size_t)>& reader) {
  kit::HttpRequest open;
  open.method = "POST";
  open.url = url("/v2/" + repo + "/blobs/uploads/");
  auto r = send(open, {}, true);
  if (!r.ok() || r.status != 202 || !r.header("location"))
    fail(RegistryStep::upload_start, "start upload to " + repo, r);
  std::string loc = resolve_location(base_, *r.header("location"));
  loc += (loc.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + blob.digest;
  kit::HttpRequest put;
  put.method = "PUT";
  put.url = loc;
  put.headers = {{"Content-Type", "application/octet-stream"}};
  put.body_size = blob.size;
  put.total_timeout = kBlobTimeout;
  put.upload_buffer = kBlobUploadBuffer;
  put.body_reader = reader;
  // No rewind: a stream cannot be replayed (a 401 here fails the attempt; the caller falls back).
  auto p = send(put, [] { return false; }, true);
  if (!p.ok() || (p.status != 201 && p.status != 204))
    fail(RegistryStep::blob_upload, "upload of " + blob.digest + " to " + repo, p);
  traffic_.bytes_uploaded += blob.size;
}

void RegistryClient::upload_bytes(const std::string& repo, const std::string& digest, const std::string& data) {
  // Small blobs (the history) go from memory; fmemopen gives upload_blob the FILE it reads from.
  std::string copy = data.empty() ? std::string(1, '\0') : data;
  std::FILE* f = fmemopen(copy.data(), copy.size(), "rb");
  if (!f) throw kit::environment_error("could not open an in-memory buffer for blob " + digest);
  try {
    upload_blob(repo, Descriptor{"application/octet-stream", digest, static_cast<std::int64_t>(data.size())}, f);
  } catch (...) {
    std::fclose(f);
    throw;
  }
  std::fclose(f);
}

std::string RegistryClient::get_blob_bytes(const std::string& repo, const std::string& digest, size_t max) {
  kit::HttpRequest req;
  req.url = url("/v2/" + repo + "/blobs/" + digest);
  req.follow_redirects = true;
  req.max_body = max;
  auto r = send(req);
  if (!r.ok() || r.status != 200) fail(RegistryStep::blob_read, "GET blob " + repo + "@" + digest, r);
  if (r.truncated) throw kit::environment_error("blob " + digest + " is larger than expected");
  if (sha256_digest(r.body) != digest)
    throw kit::environment_error("blob " + digest + " in " + repo + " does not match its digest", "the registry data is corrupt");
  return r.body;
}

std::optional<std::vector<Descriptor>> RegistryClient::referrers(const std::string& repo, const std::string& digest) {
  std::vector<Descriptor> out;
  std::string next = url("/v2/" + repo + "/referrers/" + digest);
  for (int page = 0; !next.empty(); ++page) {
    if (page >= 1000)
      throw kit::environment_error("the referrers list of " + repo + "@" + digest + " on " + registry_ +
                                       " has over 1000 pages",
                                   "the registry's Link headers loop; pass --no-referrers to skip attached artifacts");
    kit::HttpRequest req;
    req.url = next;
    req.headers = {{"Accept", media::oci_index}};
    req.total_timeout = kManifestTimeout;
    auto r = send(req);
    // The spec: a registry with the API never answers 404 here, so 404 means "no API" (the
    // caller falls back to the tag scheme). Only on the first page: later ones exist by Link.
    if (page == 0 && r.ok() && r.status == 404) return std::nullopt;
    if (!r.ok() || r.status != 200) fail(RegistryStep::referrers, "GET referrers of " + repo + "@" + digest, r);
    auto ct = r.header("content-type").value_or("");
    Manifest list;
    try {
      list = parse_manifest(r.body, ct.empty() ? media::oci_index : ct);
    } catch (const kit::Error& e) {
      throw kit::environment_error("the referrers API of " + registry_ + " answered something that is not an index for " +
                                       repo + "@" + digest + ": " + e.what(),
                                   "pass --no-referrers to skip attached artifacts, or report this to the registry operator");
    }
    if (!list.is_index)
      throw kit::environment_error("the referrers API of " + registry_ + " answered a " + list.media_type + " for " +
                                       repo + "@" + digest + ", not an image index",
                                   "pass --no-referrers to skip attached artifacts, or report this to the registry operator");
    out.insert(out.end(), list.children.begin(), list.children.end());
    next = "";
    if (auto link = r.header("link")) {
      std::string n = next_link(*link);
      if (!n.empty()) next = resolve_location(base_, n);
    }
  }
  return out;
}

}  // namespace image_promote

namespace image_promote {

RegistrySession::RegistrySession(ClientOptions options, CredentialSources sources)
    : options_(std::move(options)), auth_(std::move(sources), options_.tls, options_.retry) {}

void RegistrySession::need(const std::string& registry, const std::string& repository, bool push) {
  std::lock_guard lock(scopes_mutex_);
  // Clients already made asked for the old scopes: the next client() makes new ones.
  idle_.erase(registry);
  ++generation_[registry];
  auto& scopes = scopes_[registry];
  std::string pull = "repository:" + repository + ":pull";
  std::string both = pull + ",push";
  auto has = [&](const std::string& s) { return std::find(scopes.begin(), scopes.end(), s) != scopes.end(); };
  if (push) {
    scopes.erase(std::remove(scopes.begin(), scopes.end(), pull), scopes.end());
    if (!has(both)) scopes.push_back(both);
  } else if (!has(pull) && !has(both)) {
    scopes.push_back(pull);
  }
  std::sort(scopes.begin(), scopes.end());
}

void RegistrySession::keep_config(const std::string& digest, std::string bytes) {
  if (bytes.size() > (1 << 20)) return;
  std::lock_guard lock(configs_mutex_);
  configs_[digest] = std::move(bytes);
}

std::optional<std::string> RegistrySession::kept_config(const std::string& digest) {
  std::lock_guard lock(configs_mutex_);
  auto it = configs_.find(digest);
  if (it == configs_.end()) return std::nullopt;
  return it->second;
}

std::shared_ptr<RegistryClient> RegistrySession::client(const std::string& registry) {
  std::lock_guard lock(scopes_mutex_);
  auto key = std::make_pair(std::this_thread::get_id(), registry);
  if (auto it = leased_.find(key); it != leased_.end())
    if (auto c = it->second.lock()) return c;
  std::unique_ptr<RegistryClient> raw;
  if (auto& idle = idle_[registry]; !idle.empty()) {
    raw = std::move(idle.back());
    idle.pop_back();
  } else {
    std::vector<std::string> scopes;
    if (auto it = scopes_.find(registry); it != scopes_.end()) scopes = it->second;
    raw = std::make_unique<RegistryClient>(registry, options_, auth_, std::move(scopes), traffic_);
    ++clients_created_;
  }
  int generation = generation_[registry];
  std::shared_ptr<RegistryClient> c(raw.release(), [this, registry, generation, key](RegistryClient* p) {
    give_back(registry, generation, key, p);
  });
  leased_[key] = c;
  return c;
}

void RegistrySession::give_back(const std::string& registry, int generation, std::pair<std::thread::id, std::string> key,
                                RegistryClient* client) {
  std::unique_ptr<RegistryClient> owned(client);
  std::lock_guard lock(scopes_mutex_);
  if (auto it = leased_.find(key); it != leased_.end() && it->second.expired()) leased_.erase(it);
  if (generation == generation_[registry]) idle_[registry].push_back(std::move(owned));
}

}  // namespace image_promote
