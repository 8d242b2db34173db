#pragma once
// The OCI distribution API for one registry, over one kit::HttpClient (so one per thread).
// Authentication (401 -> challenge -> retry) and retries (429/5xx/resets) happen here, so the
// operations above it read like the protocol: HEAD, GET, mount, upload, PUT.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "image-promote/auth.hpp"
#include "image-promote/manifest.hpp"
#include "image-promote/registry_error.hpp"
#include "kit/http.hpp"

namespace image_promote {

struct ClientOptions {
  std::vector<std::string> insecure_registries;  // HOST:PORT spoken to over plain HTTP
  kit::TlsOptions tls;
  kit::RetryPolicy retry;
  // The whole run's deadline (--timeout): no request, retry or backoff goes past it, so a
  // registry dripping bytes cannot hold the tool for longer. nullopt: no overall deadline.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  kit::Millis timeout{0};  // what the deadline was computed from, for messages
  // Directories tried for blobs in transit, in order (from $TMPDIR, read by the command layer).
  std::vector<std::string> temp_dirs{"/tmp", "/var/tmp", "."};
};

bool is_insecure(const ClientOptions& options, const std::string& registry);

// Counters shared by all clients of one run (for outputs and benchmarks).
struct Traffic {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::int64_t> bytes_uploaded{0};
  std::atomic<std::int64_t> bytes_downloaded{0};
};

class RegistryClient {
 public:
  RegistryClient(std::string registry, const ClientOptions& options, Authenticator& auth, std::vector<std::string> scopes,
                 Traffic& traffic);

  const std::string& registry() const { return registry_; }

  // GET a manifest by tag or digest; nullopt when the registry says it does not exist.
  // The body is verified against the digest asked for, or against Docker-Content-Digest.
  std::optional<Manifest> get_manifest(const std::string& repo, const std::string& reference);
  // HEAD: the digest a tag points at, or nullopt when the tag does not exist.
  std::optional<std::string> head_manifest(const std::string& repo, const std::string& reference);
  // PUT the exact manifest bytes under a tag or digest; checks the digest the registry computed.
  void put_manifest(const std::string& repo, const std::string& reference, const std::string& media_type,
                    const std::string& body);
  // The same PUT, never throwing (an authentication failure included): true when the registry
  // acknowledged it, else `error` says why. For the steps after a tag was written, which must
  // report the exact state rather than unwind.
  // `confirmed` (when given): the answer named the digest stored, and it is ours.
  bool try_put_manifest(const std::string& repo, const std::string& reference, const std::string& media_type,
                        const std::string& body, std::string& error, bool* confirmed = nullptr);

  bool blob_exists(const std::string& repo, const std::string& digest);
  // Makes sure a small blob (`bytes`, whose digest is `digest`) is in `repo`, in as few requests
  // as the registry allows: a mount from `from_repo` (which may be `repo` itself) answers 201
  // when the blob is there afterwards (1 request, whether it was mounted or already present);
  // otherwise the 202's upload session takes the bytes (1 more). A registry that refuses the
  // mount outright gets HEAD, then POST + PUT.
  void ensure_small_blob(const std::string& repo, const std::string& digest, const std::string& bytes,
                         const std::string& from_repo);
  // The tags of `repo` from `after` on (exclusive, lexical order: GET /tags/list?n=&last=),
  // following Link: rel="next" while a page ends before `until`. nullopt when the answer is not
  // a usable list (not 200, not JSON, over 4 MiB, more than `max_pages` pages): the caller asks
  // tag by tag instead. A registry that ignores `last` and `n` lists every tag; that works too.
  std::optional<std::vector<std::string>> list_tags_between(const std::string& repo, const std::string& after,
                                                            const std::string& until, int max_pages = 4);
  // Cross-repository mount inside this registry; false when the registry did not mount.
  bool mount_blob(const std::string& repo, const std::string& digest, const std::string& from_repo);
  // Streams a blob into `file` (rewound first), verifying size and digest as it arrives: a byte
  // past the descriptor's size aborts the download (a registry streaming without end must not
  // fill the disk). One retry schedule for the whole download (each attempt restarts the file).
  void download_blob(const std::string& repo, const Descriptor& blob, std::FILE* file);
  // Streams `file` (size bytes) to the registry as a monolithic upload (POST, then PUT). One retry
  // schedule for the pair: a failed attempt opens a new upload session.
  void upload_blob(const std::string& repo, const Descriptor& blob, std::FILE* file);
  void upload_bytes(const std::string& repo, const std::string& digest, const std::string& data);
  // One attempt each, for a blob streamed from one registry to another with nothing on disk
  // (blob_copy falls back to the retried, file-backed path when either fails). The download
  // stops at the first byte past the declared size and checks the digest at the end; the upload
  // is a monolithic PUT with ?digest=, which the registry verifies before it keeps anything.
  void download_blob_stream(const std::string& repo, const Descriptor& blob,
                            const std::function<bool(const char*, size_t)>& sink);
  void upload_blob_stream(const std::string& repo, const Descriptor& blob, const std::function<size_t(char*, size_t)>& reader);
  std::string get_blob_bytes(const std::string& repo, const std::string& digest, size_t max);
  // The OCI 1.1 referrers API, every page (Link: rel="next"); nullopt when the registry answers
  // 404, which the spec reserves for "no referrers API". Anything else that is not a list
  // (401 after authenticating, 5xx after retries, garbage) throws kit::Error(environment).
  std::optional<std::vector<Descriptor>> referrers(const std::string& repo, const std::string& digest);

  // What is left of the run's deadline, at most `cap` (0 once it has passed; `cap` when none).
  kit::Millis remaining(kit::Millis cap) const;

 private:
  std::string url(const std::string& path) const;
  // `once`: a single attempt (the caller retries the whole operation, see retry_operation).
  kit::HttpResponse send(kit::HttpRequest request, const std::function<bool()>& rewind = {}, bool once = false);
  // send_with_retry's schedule, bounded by the run's deadline.
  kit::HttpResponse attempts(kit::HttpRequest request, const kit::RetryPolicy& policy, const std::function<bool()>& rewind);
  // Throws when the run's deadline has passed; else the time left (or `cap` when there is none).
  kit::Millis time_left(kit::Millis cap) const;
  // Runs one attempt of an operation made of several requests (each sent once) until it
  // succeeds (nullopt) or its failure is final, on the kit's retry schedule with the server's
  // Retry-After honoured. Returns the response of the last failed attempt.
  std::optional<kit::HttpResponse> retry_operation(const std::string& what,
                                                   const std::function<std::optional<kit::HttpResponse>()>& attempt);
  bool put_manifest_checked(const std::string& repo, const std::string& reference, const std::string& media_type,
                            const std::string& body, std::string& error, bool* confirmed);
  [[noreturn]] void fail(RegistryStep step, const std::string& what, const kit::HttpResponse& r);

  std::string registry_;
  std::string base_;
  const ClientOptions& options_;
  Authenticator& auth_;
  std::vector<std::string> scopes_;
  Traffic& traffic_;
  kit::HttpClient http_;
};

// An anonymous temporary file for a blob in transit, in the first writable of `dirs` ($TMPDIR,
// /tmp, /var/tmp, then the working directory: a FROM scratch container has no /tmp; its working
// directory is the workspace). Throws kit::Error(environment) when none is writable.
std::FILE* open_temp_file(const std::vector<std::string>& dirs);

// The Location of an upload session as an absolute URL.
std::string resolve_location(const std::string& base, const std::string& location);

// The target of a Link header's rel="next" (`<url>; rel="next"`), "" when there is none.
std::string next_page_url(const std::string& link_header);

}  // namespace image_promote

namespace image_promote {

// Everything the clients of one run share: options, credentials and tokens, counters, and the
// scopes each registry is asked for (pull on sources, pull+push on destinations), so one token
// covers a whole copy including cross-repository mounts.
class RegistrySession {
 public:
  RegistrySession(ClientOptions options, CredentialSources sources);
  void need(const std::string& registry, const std::string& repository, bool push);
  // A client for `registry`, for the calling thread only (never hand it to another). Clients are
  // pooled: one a thread gives up (its last shared_ptr gone) goes back with its open connection
  // and the next caller, on any thread, takes it. So every step of a run (resolve, copy, tag
  // moves, history) and every worker thread reuses connections: a run opens one connection (one
  // TLS handshake) per registry and per request in flight at once, never one per step, thread
  // or blob. A thread that already holds one for `registry` gets the same one again.
  std::shared_ptr<RegistryClient> client(const std::string& registry);
  // Connections made so far (clients created), for tests and benchmarks.
  int clients_created() const { return clients_created_.load(); }
  Traffic& traffic() { return traffic_; }
  Authenticator& auth() { return auth_; }
  const ClientOptions& options() const { return options_; }
  // Image configs that passed through a copy, kept so the platforms of a single image need no
  // second GET of its config (thread-safe; configs over 1 MiB are not kept).
  void keep_config(const std::string& digest, std::string bytes);
  std::optional<std::string> kept_config(const std::string& digest);

 private:
  ClientOptions options_;
  Authenticator auth_;
  Traffic traffic_;
  // need() is called before any worker thread starts, client() from every thread: client() only
  // reads (find, never operator[], which inserts), under the mutex all the same.
  std::mutex scopes_mutex_;
  std::map<std::string, std::vector<std::string>> scopes_;
  // Under scopes_mutex_: the clients threads hold now (by thread and registry), the idle ones,
  // and a generation per registry that need() bumps (an idle client asked for old scopes).
  std::map<std::pair<std::thread::id, std::string>, std::weak_ptr<RegistryClient>> leased_;
  std::map<std::string, std::vector<std::unique_ptr<RegistryClient>>> idle_;
  std::map<std::string, int> generation_;
  std::atomic<int> clients_created_{0};
  void give_back(const std::string& registry, int generation, std::pair<std::thread::id, std::string> key,
                 RegistryClient* client);
  std::mutex configs_mutex_;
  std::map<std::string, std::string> configs_;
};

}  // namespace image_promote
