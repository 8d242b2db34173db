#include "image-promote/promote.hpp"

#include <nlohmann/json.hpp>
#include <thread>

#include "image-promote/digest.hpp"
#include "image-promote/referrers.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"

namespace image_promote {
namespace {

std::string short_digest(const std::string& d) { return d.empty() ? "(none)" : d.substr(0, 19); }

// Puts the tag back at `previous` after a failure later in the move; true when verified.
bool restore_tag(RegistryClient& client, const Reference& target, const std::string& previous) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      auto m = client.get_manifest(target.repository, previous);
      if (!m) return false;
      std::string error;
      client.try_put_manifest(target.repository, target.tag, m->media_type, m->body, error);
      if (client.head_manifest(target.repository, target.tag) == previous) return true;
    } catch (const kit::Error& e) {
      kit::log::warn("putting " + target.str() + " back at " + previous + ": " + e.what());
    }
  }
  return false;
}

// The digest a tag resolves to, read again after a write; several tries, since knowing the
// state matters more here than failing fast. Throws a partial error when it stays unknown.
std::optional<std::string> verified_head(RegistryClient& client, const Reference& target, const std::string& intended,
                                         const std::string& previous) {
  std::string last;
  for (int attempt = 0; attempt < 4; ++attempt) {
    try {
      return client.head_manifest(target.repository, target.tag);
    } catch (const kit::Error& e) {
      last = e.what();
    }
  }
  throw kit::partial_error("wrote " + target.str() + " but could not read it back (" + last + "): it points at " +
                               intended + " or still at " + (previous.empty() ? "nothing" : previous),
                           "run `image-promote digest " + target.str() + "` and promote again if needed");
}

}  // namespace

std::vector<std::string> platforms_of(RegistryClient& client, const std::string& repository, const Manifest& m) {
  std::vector<std::string> out;
  if (m.is_index) {
    for (const auto& c : m.children)
      if (!c.platform.empty() && c.platform != "unknown/unknown") out.push_back(c.platform);
    return out;
  }
  if (!m.config || m.config->size > (1 << 20)) return out;
  try {
    auto j = nlohmann::json::parse(client.get_blob_bytes(repository, m.config->digest, 1 << 20));
    if (j.contains("architecture") && j.contains("os"))
      out.push_back(platform_string(j.value("os", ""), j.value("architecture", ""), j.value("variant", "")));
  } catch (const std::exception&) {
    // Not an image config (an artifact): no platform.
  }
  return out;
}

TagMove move_tag(RegistryClient& client, const Reference& target, const Manifest& image, const MoveRequest& request,
                 const kit::Env& env) {
  TagMove move{target, "", "unchanged"};
  const std::string& repo = target.repository;
  History history = read_history(client, repo, target.tag);
  // Read as late as possible: the registry has no compare-and-swap, so this read and the write
  // below are as close together as we can make them.
  auto current = client.head_manifest(repo, target.tag);
  move.previous = current.value_or("");
  if (request.expect_current && *request.expect_current != move.previous)
    throw kit::Error(kit::Exit::negative,
                     target.str() + " points at " + short_digest(move.previous) + ", not the expected " +
                         short_digest(*request.expect_current) + ": another promotion moved it; nothing was changed",
                     "check `image-promote history " + target.repo_name() + " --tag " + target.tag +
                         "` and promote again with the right --expect-current");
  bool recorded = !history.entries.empty() && history.entries.front().digest == image.digest;
  if (current == image.digest && recorded) return move;
  if (request.dry_run) {
    move.state = current == image.digest ? "unchanged" : "would move";
    return move;
  }

  History next = history;
  // The tag is already there but unrecorded (a re-run after the history write failed): record it
  // with what the history last knew as the previous digest.
  if (current == image.digest) move.previous = history.entries.empty() ? "" : history.entries.front().digest;
  next.entries.insert(next.entries.begin(), new_entry(env, request.action, image.digest, move.previous, request.source));
  if (next.entries.size() > kHistoryLimit) next.entries.resize(kHistoryLimit);
  HistoryManifest hm = history_manifest(next);
  upload_history_blobs(client, repo, hm);  // blobs alone change nothing anyone sees

  if (current != image.digest) {
    std::string error;
    bool put_ok = client.try_put_manifest(repo, target.tag, image.media_type, image.body, error);
    // Verify even after a failed PUT: a reset may have hidden a write that did happen.
    auto now = verified_head(client, target, image.digest, move.previous);
    if (now != image.digest) {
      if (!put_ok && now == current)
        throw kit::environment_error("could not move " + target.str() + ": " + error + "; the tag still points at " +
                                         short_digest(move.previous) + ", nothing was changed",
                                     "retry the promotion; if it persists, check the registry");
      throw kit::Error(kit::Exit::negative,
                       target.str() + " was moved to " + short_digest(now.value_or("")) +
                           " by someone else while we promoted; our promotion is not in effect and no history was recorded",
                       "check `image-promote history` and decide which image should win, then promote again");
    }
    if (request.expect_current && request.settle.count() > 0) {
      // Two promotions that both read the same current digest both write; the later write wins.
      // Waiting and reading again lets the earlier one notice it lost.
      std::this_thread::sleep_for(request.settle);
      auto after = verified_head(client, target, image.digest, move.previous);
      if (after != image.digest)
        throw kit::Error(kit::Exit::negative,
                         "lost a race on " + target.str() + ": a concurrent promotion moved it to " +
                             short_digest(after.value_or("")) + " right after our write; ours is not in effect",
                         "check `image-promote history " + target.repo_name() + " --tag " + target.tag +
                             "`; promote again with --expect-current if ours should win");
    }
  }
  std::string error;
  bool history_ok = false;
  for (int attempt = 0; attempt < 2 && !history_ok; ++attempt) {
    history_ok = client.try_put_manifest(repo, history_tag(target.tag), media::oci_manifest, hm.body, error);
    // A reset can hide a write that happened: believe the registry, not the connection.
    if (!history_ok) {
      try {
        history_ok = client.head_manifest(repo, history_tag(target.tag)) == sha256_digest(hm.body);
      } catch (const kit::Error&) {
      }
    }
  }
  if (!history_ok) {
    if (current == image.digest)
      throw kit::environment_error("could not record the promotion history of " + target.str() + " (" + error +
                                       "); the tag was not moved, nothing was changed",
                                   "retry the promotion; if it persists, check the registry");
    if (move.previous.empty())
      throw kit::partial_error(target.str() + " points at " + short_digest(image.digest) +
                                   " but its promotion history could not be written (" + error + ")",
                               "run the same promote again: it records the missing history entry without moving the tag");
    if (restore_tag(client, target, move.previous))
      throw kit::environment_error("could not record the promotion history of " + target.str() + " (" + error +
                                       "); the tag was put back at " + short_digest(move.previous) + ", nothing was changed",
                                   "retry the promotion; if it persists, check the registry");
    throw kit::partial_error(target.str() + " points at " + short_digest(image.digest) +
                                 " but neither the history could be written nor the tag put back at " + move.previous,
                             "run `image-promote promote " + target.repo_name() + "@" + move.previous + " --to " +
                                 target.tag + "` to restore it, or promote again to record the history");
  }
  move.state = current == image.digest ? "recorded" : "moved";
  return move;
}

PromoteResult promote(RegistrySession& session, const PromoteRequest& req, const kit::Env& env) {
  PromoteResult result;
  auto src = session.client(req.source.registry);
  auto image = src->get_manifest(req.source.repository, req.source.reference());
  if (!image)
    throw kit::usage_error(req.source.str() + " does not exist in the registry; nothing was changed",
                           "check the reference with `image-promote digest " + req.source.str() + "`");
  result.digest = image->digest;
  result.media_type = image->media_type;
  result.platforms = platforms_of(*src, req.source.repository, *image);
  MoveRequest move = req.move;
  move.source = req.source.with_digest(image->digest).str();
  if (!req.source.tag.empty()) move.source = req.source.repo_name() + ":" + req.source.tag + "@" + image->digest;

  std::vector<std::string> done;
  for (const auto& target : req.targets) {
    try {
      auto dst = session.client(target.registry);
      if (target.repo_name() != req.source.repo_name()) {
        result.stats.add(copy_tree(session, req.source, target, *image, req.jobs, req.move.dry_run));
        if (req.referrers)
          result.attached += copy_attached(session, req.source, target, image->digest, req.jobs, req.move.dry_run, result.stats);
      }
      auto m = move_tag(*dst, target, *image, move, env);
      result.moves.push_back(m);
      if (m.state == "moved" || m.state == "recorded") done.push_back(target.str());
    } catch (const kit::Error& e) {
      if (done.empty()) throw;
      std::string moved;
      for (const auto& d : done) moved += (moved.empty() ? "" : ", ") + d;
      throw kit::partial_error("promotion stopped part-way: " + moved + " now point(s) at " + short_digest(image->digest) +
                                   "; " + target.str() + " failed: " + e.what(),
                               "fix the cause and run the same promote again (tags already moved are left as they are)");
    }
  }
  return result;
}

RollbackResult rollback(RegistrySession& session, const RollbackRequest& req, const kit::Env& env) {
  auto client = session.client(req.repository.registry);
  const std::string& repo = req.repository.repository;
  Reference target = req.repository.with_tag(req.tag);
  History history = read_history(*client, repo, req.tag);
  if (history.entries.empty())
    throw kit::usage_error("no promotion history for " + target.str() + "; nothing to roll back to, nothing was changed",
                           "only tags moved by `image-promote promote` can be rolled back; use promote --to " + req.tag +
                               " with the digest you want");
  auto current = client->head_manifest(repo, req.tag);
  std::string to = req.to;
  if (to.empty()) {
    if (static_cast<size_t>(req.steps) > history.entries.size())
      throw kit::usage_error("--steps " + std::to_string(req.steps) + " goes past the " +
                                 std::to_string(history.entries.size()) + " recorded promotion(s) of " + target.str(),
                             "see `image-promote history " + req.repository.str() + " --tag " + req.tag + "`");
    if (current && *current != history.entries.front().digest)
      kit::log::warn(target.str() + " points at " + *current + ", not at its last recorded promotion " +
                     history.entries.front().digest + ": it was moved outside image-promote");
    to = history.entries[req.steps - 1].previous;
    if (to.empty())
      throw kit::usage_error(target.str() + " did not exist before that promotion; there is nothing to roll back to",
                             "promote the digest you want with promote --to " + req.tag);
  }
  auto image = client->get_manifest(repo, to);
  if (!image)
    throw kit::usage_error(req.repository.str() + "@" + to + " no longer exists in the registry; nothing was changed",
                           "pick another entry from `image-promote history` with --to");
  MoveRequest move;
  move.expect_current = current.value_or("");
  move.action = "rollback";
  move.source = req.repository.str() + "@" + to;
  move.settle = req.settle;
  move.dry_run = req.dry_run;
  return RollbackResult{move_tag(*client, target, *image, move, env), image->digest};
}

}  // namespace image_promote
