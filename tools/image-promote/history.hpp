#pragma once
// The promotion history of a tag, kept in the registry itself so a runner with nothing but
// credentials can roll back. Format (docs/image-promote.md, "History format"): an OCI artifact
// manifest (artifactType application/vnd.yonima.promotion-history.v1+json) tagged
// `_yonima-history-<tag>` in the same repository, whose annotation
// `dev.yonima.promotion-history` holds the entries, newest first. Kept in the manifest itself so
// a move is one manifest read and one manifest write; histories written by earlier versions (the
// entries in the config blob) are still read.
#include <optional>
#include <string>
#include <vector>

#include "image-promote/registry_client.hpp"
#include "kit/env.hpp"
#include "kit/error.hpp"

namespace image_promote {

inline constexpr const char* kHistoryMediaType = "application/vnd.yonima.promotion-history.v1+json";
inline constexpr const char* kHistoryAnnotation = "dev.yonima.promotion-history";
inline constexpr size_t kHistoryLimit = 100;  // entries kept; older ones fall off

struct HistoryEntry {
  std::string digest;    // what the tag was moved to
  std::string previous;  // what it pointed at before ("" when the tag was new)
  std::string time;      // UTC, RFC 3339
  std::string action;    // "promote" or "rollback"
  std::string source;    // the reference promoted from
  std::string run_url;   // GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID
  std::string actor;     // GITHUB_ACTOR
};

struct History {
  std::string tag;
  std::vector<HistoryEntry> entries;  // newest first
  std::string manifest_body;          // as read (empty when there was none): restored on failure
  // Why the history manifest there could not be read (malformed entries, no annotation), "" when
  // it could: entries is then empty. promote and `rollback --to` start a new history over it (the
  // old manifest stays in the registry by its digest, named here); the rest refuse.
  std::string unreadable;
};

std::string history_tag(const std::string& tag);  // throws usage error when too long

std::string history_to_json(const History& h);
// A history manifest whose entries cannot be read (exit 3 where it is needed).
struct MalformedHistory : kit::Error {
  MalformedHistory(std::string message, std::string hint) : kit::Error(kit::Exit::environment, std::move(message), std::move(hint)) {}
};
// Throws MalformedHistory, or kit::Error(environment) for a history of a newer schemaVersion;
// `where` names it in the message.
History history_from_json(const std::string& text, const std::string& where = "the promotion history");

// Reads the history of `tag` (empty when there is none yet). A history written by a newer
// image-promote (schemaVersion above 1) throws: starting over would drop what that version wrote.
History read_history(RegistryClient& client, const std::string& repository, const std::string& tag);

// The manifest that stores `h`. Its config and only layer are the OCI empty blob `{}`, which
// must be in the repository (ensure_empty_blob) before the manifest is written.
struct HistoryManifest {
  std::string body;  // the manifest
};
HistoryManifest history_manifest(const History& h);
// Needed once per repository: a repository that already holds a history has it. A mount from
// `mount_from` (another repository of the registry, e.g. the promoted image's; "" = the repository
// itself) settles it in one request when the blob is there or there already, else its upload
// session takes the 2 bytes: 1-2 requests, where HEAD + POST + PUT took up to 3.
void ensure_empty_blob(RegistryClient& client, const std::string& repository, const std::string& mount_from = "");

HistoryEntry new_entry(const kit::Env& env, const std::string& action, const std::string& digest,
                       const std::string& previous, const std::string& source);
std::string run_url(const kit::Env& env);
std::string utc_now();

}  // namespace image_promote
