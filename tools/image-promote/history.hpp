#pragma once
// The promotion history of a tag, kept in the registry itself so a runner with nothing but
// credentials can roll back. Format (docs/image-promote.md, "History format"): an OCI artifact
// manifest tagged `_yonima-history-<tag>` in the same repository, whose config blob
// (application/vnd.yonima.promotion-history.v1+json) holds the entries, newest first.
#include <optional>
#include <string>
#include <vector>

#include "image-promote/registry_client.hpp"
#include "kit/env.hpp"

namespace image_promote {

inline constexpr const char* kHistoryMediaType = "application/vnd.yonima.promotion-history.v1+json";
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
};

std::string history_tag(const std::string& tag);  // throws usage error when too long

std::string history_to_json(const History& h);
History history_from_json(const std::string& text);  // throws kit::Error(environment) when malformed

// Reads the history of `tag` (empty when there is none yet).
History read_history(RegistryClient& client, const std::string& repository, const std::string& tag);

// The manifest that stores `h` (its config blob must be uploaded first: see write_history).
struct HistoryManifest {
  std::string config;       // the JSON blob
  std::string config_digest;
  std::string body;         // the manifest
};
HistoryManifest history_manifest(const History& h);
void upload_history_blobs(RegistryClient& client, const std::string& repository, const HistoryManifest& m);

HistoryEntry new_entry(const kit::Env& env, const std::string& action, const std::string& digest,
                       const std::string& previous, const std::string& source);
std::string run_url(const kit::Env& env);
std::string utc_now();

}  // namespace image_promote
