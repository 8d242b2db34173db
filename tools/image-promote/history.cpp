#include "image-promote/history.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "image-promote/digest.hpp"
#include "image-promote/manifest.hpp"
#include "image-promote/reference.hpp"
#include "kit/error.hpp"
#include "kit/text.hpp"
#include "kit/untrusted_json.hpp"

namespace image_promote {

std::string history_tag(const std::string& tag) {
  std::string t = "_yonima-history-" + tag;
  if (!valid_tag(t))
    throw kit::usage_error("tag '" + kit::quote_value(tag, 40) + "' is too long to keep a history for (at most 112 characters)");
  return t;
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

std::string run_url(const kit::Env& env) {
  auto server = env.get("GITHUB_SERVER_URL"), repo = env.get("GITHUB_REPOSITORY"), run = env.get("GITHUB_RUN_ID");
  if (!server || !repo || !run) return "";
  return *server + "/" + *repo + "/actions/runs/" + *run;
}

HistoryEntry new_entry(const kit::Env& env, const std::string& action, const std::string& digest,
                       const std::string& previous, const std::string& source) {
  return HistoryEntry{digest, previous, utc_now(), action, source, run_url(env), env.get_or("GITHUB_ACTOR", "")};
}

std::string history_to_json(const History& h) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : h.entries)
    entries.push_back({{"digest", e.digest},
                       {"previous", e.previous},
                       {"time", e.time},
                       {"action", e.action},
                       {"source", e.source},
                       {"run_url", e.run_url},
                       {"actor", e.actor}});
  return nlohmann::json{{"schemaVersion", 1}, {"tag", h.tag}, {"entries", entries}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

History history_from_json(const std::string& text, const std::string& where) {
  History h;
  std::int64_t version = 0;
  try {
    auto j = nlohmann::json::parse(text);
    version = kit::json_integer(j, "schemaVersion").value_or(0);
    if (version != 1) throw std::runtime_error("schemaVersion is not 1");
    h.tag = j.value("tag", "");
    for (const auto& e : j.at("entries")) {
      HistoryEntry entry{e.value("digest", ""), e.value("previous", ""), e.value("time", ""), e.value("action", "promote"),
                         e.value("source", ""), e.value("run_url", ""), e.value("actor", "")};
      // Digests become URL paths and step outputs: anything else is not a history entry.
      if (!valid_digest(entry.digest) || (!entry.previous.empty() && !valid_digest(entry.previous)))
        throw std::runtime_error("an entry names a digest that is not a sha256 digest");
      h.entries.push_back(std::move(entry));
    }
  } catch (const std::exception& e) {
    if (version > 1)
      throw kit::environment_error(where + " was written by a newer image-promote (schemaVersion " +
                                       std::to_string(version) + "); nothing was changed",
                                   "use that version (or a newer one) for this tag");
    throw MalformedHistory(where + " is malformed: " + e.what(),
                           "`promote` and `rollback --to DIGEST` start a new history over it (the old one stays in the "
                           "registry by its digest)");
  }
  return h;
}

History read_history(RegistryClient& client, const std::string& repository, const std::string& tag) {
  auto m = client.get_manifest(repository, history_tag(tag));
  History h;
  h.tag = tag;
  if (!m) return h;
  const std::string where = "the promotion history " + repository + ":" + history_tag(tag) + " (" + m->digest + ")";
  bool legacy = m->config && m->config->media_type == kHistoryMediaType;  // entries in the config blob
  if (m->artifact_type != kHistoryMediaType && !legacy)
    throw kit::environment_error(repository + ":" + history_tag(tag) + " is not a promotion history",
                                 "something else uses that tag; rename it or delete it");
  auto entries = m->annotations.find(kHistoryAnnotation);
  try {
    if (entries != m->annotations.end()) h = history_from_json(entries->second, where);
    else if (legacy) h = history_from_json(client.get_blob_bytes(repository, m->config->digest, 8 << 20), where);
    else throw MalformedHistory(where + " has no " + kHistoryAnnotation + " annotation", "");
  } catch (const MalformedHistory& e) {
    h = History{};
    h.unreadable = e.what();
  }
  h.tag = tag;
  h.manifest_body = m->body;
  return h;
}

HistoryManifest history_manifest(const History& h) {
  nlohmann::json empty = {{"mediaType", media::oci_empty}, {"digest", sha256_digest("{}")}, {"size", 2}};
  nlohmann::json m = {
      {"schemaVersion", 2},
      {"mediaType", media::oci_manifest},
      {"artifactType", kHistoryMediaType},
      {"config", empty},
      {"layers", nlohmann::json::array({empty})},
      {"annotations",
       {{"org.opencontainers.image.created", h.entries.empty() ? utc_now() : h.entries.front().time},
        {"dev.yonima.promotion-history.tag", h.tag},
        {kHistoryAnnotation, history_to_json(h)}}}};
  // Entries hold registry data (sources, actors): invalid UTF-8 is replaced, never a throw.
  return HistoryManifest{m.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

void ensure_empty_blob(RegistryClient& client, const std::string& repository, const std::string& mount_from) {
  client.ensure_small_blob(repository, sha256_digest("{}"), "{}", mount_from.empty() ? repository : mount_from);
}

}  // namespace image_promote
