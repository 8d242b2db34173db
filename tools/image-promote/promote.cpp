#include "image-promote/promote.hpp"

#include <nlohmann/json.hpp>
#include <algorithm>
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

// The history write after a tag write failed: put the tag back (exit 3, nothing changed) or,
// when that is impossible or fails too, say exactly where the tag is and what to run (exit 4).
[[noreturn]] void history_failed(RegistryClient& client, const Reference& target, const Manifest& image,
                                 const std::string& previous, bool tag_was_there, const std::string& error) {
  std::string what = "the promotion history of " + target.str() + " could not be written (" + error + ")";
  std::string promote_again = "image-promote promote " + target.repo_name() + "@" + image.digest + " --to " + target.tag;
  if (tag_was_there)
    throw kit::environment_error(what + "; the tag already pointed at " + short_digest(image.digest) +
                                     " and was not moved, nothing was changed",
                                 "retry the promotion; if it persists, check the registry and the credentials");
  if (previous.empty())
    throw kit::partial_error(target.str() + " now points at " + image.digest + " (it did not exist before) but " + what +
                                 "; a tag cannot be deleted without deleting the image, so it was left there",
                             "run `" + promote_again + "` once the registry accepts writes: it records the missing history "
                             "entry without moving the tag (until then `rollback` does not know this promotion)");
  if (restore_tag(client, target, previous))
    throw kit::environment_error(what + "; the tag was put back at " + short_digest(previous) +
                                     " and verified, nothing was changed",
                                 "retry the promotion; if it persists, check the registry and the credentials");
  throw kit::partial_error(target.str() + " was moved from " + previous + " to " + image.digest + ", but " + what +
                               " and putting the tag back failed: it points at " + image.digest + " with no history entry",
                           "to keep the move, run `" + promote_again + "` (it records the history without moving the tag); "
                           "to undo it, run `image-promote promote " + target.repo_name() + "@" + previous + " --to " +
                               target.tag + "`");
}

}  // namespace

std::vector<std::string> platforms_of(RegistrySession& session, RegistryClient& client, const std::string& repository,
                                      const Manifest& m) {
  std::vector<std::string> out;
  if (m.is_index) {
    for (const auto& c : m.children)
      if (!c.platform.empty() && c.platform != "unknown/unknown") out.push_back(c.platform);
    return out;
  }
  if (!m.config || m.config->size > (1 << 20)) return out;
  try {
    auto bytes = session.kept_config(m.config->digest);
    if (!bytes) bytes = client.get_blob_bytes(repository, m.config->digest, 1 << 20);
    auto j = nlohmann::json::parse(*bytes);
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
  const std::string last_recorded = history.entries.empty() ? "" : history.entries.front().digest;
  const bool recorded = last_recorded == image.digest;

  // The history to write after the tag depends on what the tag points at now (its entry's
  // `previous`), so its blobs are made for a digest the tag is assumed to have. They are uploaded
  // before the tag is read: the read-modify-write window on the tag (no compare-and-swap) then
  // holds nothing but the PUT. A wrong assumption costs one more upload and read.
  HistoryManifest hm;
  std::optional<std::string> prepared_for;
  auto prepare = [&](const std::string& current) {
    History next = history;
    // A tag already at the image but unrecorded (a re-run after the history write failed) is
    // recorded with what the history last knew as its previous digest.
    std::string previous = current == image.digest ? last_recorded : current;
    next.entries.insert(next.entries.begin(), new_entry(env, request.action, image.digest, previous, request.source));
    if (next.entries.size() > kHistoryLimit) next.entries.resize(kHistoryLimit);
    hm = history_manifest(next);
    upload_history_blobs(client, repo, hm);  // blobs alone change nothing anyone sees
    prepared_for = current;
  };
  // Most likely the tag is where --expect-current says, else where it was last recorded.
  std::string likely = request.expect_current ? *request.expect_current : last_recorded;
  if (!request.dry_run && !(likely == image.digest && recorded)) prepare(likely);

  std::optional<std::string> current;
  for (int round = 1;; ++round) {
    current = client.head_manifest(repo, target.tag);
    move.previous = current.value_or("");
    if (request.expect_current && *request.expect_current != move.previous)
      throw kit::Error(kit::Exit::negative,
                       target.str() + " points at " + short_digest(move.previous) + ", not the expected " +
                           short_digest(*request.expect_current) + ": another promotion moved it; nothing was changed",
                       "check `image-promote history " + target.repo_name() + " --tag " + target.tag +
                           "` and promote again with the right --expect-current");
    if (current == image.digest && recorded) return move;
    if (request.dry_run) {
      move.state = current == image.digest ? "unchanged" : "would move";
      return move;
    }
    if (prepared_for == move.previous) break;
    if (round == 3)
      throw kit::Error(kit::Exit::negative,
                       target.str() + " moved again (now " + short_digest(move.previous) +
                           ") while its promotion history was prepared: another promotion is running; nothing was changed",
                       "serialise promotions of one tag (a workflow `concurrency:` group) and promote again");
    prepare(move.previous);
  }

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
  // From here on the tag may have moved: nothing may throw past this point without saying so.
  // try_put_manifest does not throw (a 401 on re-authentication included).
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
  if (!history_ok) history_failed(client, target, image, move.previous, current == image.digest, error);
  move.state = current == image.digest ? "recorded" : "moved";
  return move;
}

Manifest resolve_source(RegistrySession& session, const Reference& source) {
  auto src = session.client(source.registry);
  auto image = src->get_manifest(source.repository, source.reference());
  if (!image)
    throw kit::usage_error(source.str() + " does not exist in the registry; nothing was changed",
                           "check the reference with `image-promote digest " + source.str() + "`");
  return *image;
}

PromoteResult promote(RegistrySession& session, const PromoteRequest& req, const Manifest& image,
                      const kit::Env& env) {
  PromoteResult result;
  result.digest = image.digest;
  result.media_type = image.media_type;
  MoveRequest move = req.move;
  move.source = req.source.with_digest(image.digest).str();
  if (!req.source.tag.empty()) move.source = req.source.repo_name() + ":" + req.source.tag + "@" + image.digest;

  std::vector<std::string> done;
  for (const auto& target : req.targets) {
    try {
      auto dst = session.client(target.registry);
      if (target.repo_name() != req.source.repo_name()) {
        result.stats.add(copy_tree(session, req.source, target, image, req.jobs, req.move.dry_run));
        if (req.referrers)
          result.attached += copy_attached(session, req.source, target, image.digest, req.jobs, req.move.dry_run, result.stats);
      }
      auto m = move_tag(*dst, target, image, move, env);
      result.moves.push_back(m);
      if (m.state == "moved" || m.state == "recorded") done.push_back(target.str());
    } catch (const kit::Error& e) {
      if (done.empty()) throw;
      std::string moved;
      for (const auto& d : done) moved += (moved.empty() ? "" : ", ") + d;
      throw kit::partial_error("promotion stopped part-way: " + moved + " now point(s) at " + short_digest(image.digest) +
                                   "; " + target.str() + " failed: " + e.what(),
                               "fix the cause and run the same promote again (tags already moved are left as they are)");
    }
  }
  // A single image's platform is in its config, which a retag inside one repository never
  // reads: no request just for an output (docs/image-promote.md, Outputs).
  bool other_repo = std::any_of(req.targets.begin(), req.targets.end(),
                                [&](const Reference& t) { return t.repo_name() != req.source.repo_name(); });
  if (image.is_index || other_repo)
    result.platforms = platforms_of(session, *session.client(req.source.registry), req.source.repository, image);
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
