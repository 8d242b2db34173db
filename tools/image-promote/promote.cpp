#include "image-promote/promote.hpp"

#include <nlohmann/json.hpp>
#include <algorithm>
#include <future>
#include <thread>

#include "image-promote/digest.hpp"
#include "image-promote/referrers.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/text.hpp"

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

// The history write after a tag write failed: put the tag back (exit 3: nothing changed, which
// the command says for every exit 3 of promote and rollback) or,
// when that is impossible or fails too, say exactly where the tag is and what to run (exit 4).
[[noreturn]] void history_failed(RegistryClient& client, const Reference& target, const Manifest& image,
                                 const std::string& previous, bool tag_was_there, const std::string& error) {
  std::string what = "the promotion history of " + target.str() + " could not be written (" + error + ")";
  std::string promote_again = "image-promote promote " + target.repo_name() + "@" + image.digest + " --to " + target.tag;
  if (tag_was_there)
    throw kit::environment_error(what + "; the tag already pointed at " + short_digest(image.digest) +
                                     " and was not moved",
                                 "retry the promotion; if it persists, check the registry and the credentials");
  if (previous.empty())
    throw kit::partial_error(target.str() + " now points at " + image.digest + " (it did not exist before) but " + what +
                                 "; a tag cannot be deleted without deleting the image, so it was left there",
                             "run `" + promote_again + "` once the registry accepts writes: it records the missing history "
                             "entry without moving the tag (until then `rollback` does not know this promotion)");
  if (restore_tag(client, target, previous))
    throw kit::environment_error(what + "; the tag was put back at " + short_digest(previous) +
                                     " and verified",
                                 "retry the promotion; if it persists, check the registry and the credentials");
  throw kit::partial_error(target.str() + " was moved from " + previous + " to " + image.digest + ", but " + what +
                               " and putting the tag back failed: it points at " + image.digest + " with no history entry",
                           "to keep the move, run `" + promote_again + "` (it records the history without moving the tag); "
                           "to undo it, run `image-promote promote " + target.repo_name() + "@" + previous + " --to " +
                               target.tag + "`");
}

}  // namespace

const char* move_state_name(MoveState s) {
  switch (s) {
    case MoveState::moved: return "moved";
    case MoveState::recorded: return "recorded";
    case MoveState::unchanged: return "unchanged";
    case MoveState::refused: return "refused";
  }
  return "unchanged";
}

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
    if (!bytes) {
      bytes = client.get_blob_bytes(repository, m.config->digest, 1 << 20);
      session.keep_config(m.config->digest, *bytes);  // inspect reads its labels next
    }
    auto j = nlohmann::json::parse(*bytes);
    if (j.contains("architecture") && j.contains("os"))
      out.push_back(platform_string(j.value("os", ""), j.value("architecture", ""), j.value("variant", "")));
  } catch (const std::exception&) {
    // Not an image config (an artifact): no platform.
  }
  return out;
}

MovePrep prepare_move(RegistryClient& client, const PlannedMove& planned, const MoveOptions& options) {
  MovePrep prep{read_history(client, planned.target.repository, planned.target.tag)};
  // An unreadable history would block every promotion and rollback of the tag for good: a new
  // one is started over it, and the old manifest stays in the registry by its digest.
  if (!prep.history.unreadable.empty())
    kit::log::warn(prep.history.unreadable + "; starting a new history for " + planned.target.str());
  // The history manifest refers to the empty blob; a repository that holds a history has it.
  // Checked before the tag is read, so the read-modify-write window on the tag (the registry
  // API has no compare-and-swap) holds nothing but the PUT.
  if (prep.history.manifest_body.empty() || !prep.history.unreadable.empty())
    ensure_empty_blob(client, planned.target.repository, options.empty_blob_from);
  return prep;
}

TagMove move_tag(RegistryClient& client, const PlannedMove& planned, const Manifest& image, const MoveOptions& options,
                 const kit::Env& env, std::optional<MovePrep> prepared) {
  const Reference& target = planned.target;
  TagMove move{target, "", MoveState::unchanged, std::nullopt};
  auto refuse = [&](RefusalKind kind, std::string message, std::string hint) {
    move.state = MoveState::refused;
    move.refusal = Refusal{kind, std::move(message), std::move(hint)};
    return move;
  };
  const std::string& repo = target.repository;
  const bool early = prepared.has_value();
  History history = early ? std::move(prepared->history) : prepare_move(client, planned, options).history;

  std::optional<std::string> current = client.head_manifest(repo, target.tag);
  move.previous = current.value_or("");
  // A history read during the copy (execute) is a copy's length older than the tag: a tag that is
  // not where that history last put it may have been moved by another promotion meanwhile, whose
  // entry the old copy lacks. Read again (one request, only then) rather than write over it.
  if (early && move.previous != (history.entries.empty() ? "" : history.entries.front().digest))
    history = read_history(client, repo, target.tag);
  const std::string last_recorded = history.entries.empty() ? "" : history.entries.front().digest;
  const bool recorded = last_recorded == image.digest;
  if (planned.expect_current && *planned.expect_current != move.previous)
    return refuse(RefusalKind::not_expected,
                  target.str() + " points at " + short_digest(move.previous) + ", not the expected " +
                      short_digest(*planned.expect_current) + ": another promotion moved it; nothing was changed",
                  "check `image-promote history " + target.repo_name() + " --tag " + target.tag +
                      "` and promote again with the right --expect-current");
  if (current == image.digest && recorded) return move;
  // The entry names what the tag points at now. A tag already at the image but unrecorded (a
  // re-run after the history write failed) is recorded with what the history last knew.
  History next = history;
  std::string previous = current == image.digest ? last_recorded : move.previous;
  next.entries.insert(next.entries.begin(), new_entry(env, options.action, image.digest, previous, options.source));
  if (next.entries.size() > kHistoryLimit) next.entries.resize(kHistoryLimit);
  HistoryManifest hm = history_manifest(next);

  if (current != image.digest) {
    std::string error;
    bool confirmed = false;
    bool put_ok = client.try_put_manifest(repo, target.tag, image.media_type, image.body, error, &confirmed);
    // The registry's answer names the digest it stored under the tag: that is the verification.
    // Without it (or after a failed PUT: a reset may have hidden a write that did happen) the tag
    // is read back.
    auto now = put_ok && confirmed ? std::optional<std::string>(image.digest)
                                   : verified_head(client, target, image.digest, move.previous);
    if (now != image.digest) {
      if (!put_ok && now == current)
        throw kit::environment_error("could not move " + target.str() + ": " + error + "; the tag still points at " +
                                         short_digest(move.previous),
                                     "retry the promotion; if it persists, check the registry");
      return refuse(RefusalKind::overwritten,
                    target.str() + " was moved to " + short_digest(now.value_or("")) +
                        " by someone else while we promoted; our promotion is not in effect and no history was recorded",
                    "check `image-promote history` and decide which image should win, then promote again");
    }
    if (planned.expect_current && options.settle.count() > 0) {
      // Two promotions that both read the same current digest both write; the later write wins.
      // Waiting and reading again lets the earlier one notice it lost. The wait keeps a second of
      // --timeout for that read: past the deadline the tag would stay moved with no history.
      const kit::Millis reserve(1000);
      kit::Millis wait = std::min(options.settle, std::max(kit::Millis(0), client.remaining(options.settle + reserve) - reserve));
      if (wait < options.settle)
        kit::log::warn("--settle " + kit::format_duration(options.settle) + " cut to " + kit::format_duration(wait) +
                       " by --timeout: a racing promotion is noticed only within that");
      std::this_thread::sleep_for(wait);
      auto after = verified_head(client, target, image.digest, move.previous);
      if (after != image.digest)
        return refuse(RefusalKind::lost_race,
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
  move.state = current == image.digest ? MoveState::recorded : MoveState::moved;
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

PromotePlan plan_promote(const PromoteRequest& req, const Manifest& image) {
  PromotePlan plan;
  plan.source = req.source;
  plan.image = image;
  plan.referrers = req.referrers;
  plan.jobs = req.jobs;
  plan.move_options.settle = req.settle;
  plan.move_options.source = req.source.tag.empty() ? req.source.with_digest(image.digest).str()
                                                    : req.source.repo_name() + ":" + req.source.tag + "@" + image.digest;
  bool other_repo = false;
  for (const auto& target : req.targets) {
    Reference repo = target.with_digest(image.digest);
    if (target.repo_name() != req.source.repo_name()) {
      other_repo = true;
      // One copy per repository, however many of its tags are moved.
      bool planned = std::any_of(plan.copies.begin(), plan.copies.end(),
                                 [&](const PlannedCopy& c) { return c.to.repo_name() == target.repo_name(); });
      if (!planned) plan.copies.push_back({req.source.with_digest(image.digest), repo});
    }
    plan.moves.push_back({target, req.expect_current});
  }
  // A single image's platform is in its config, which a retag inside one repository never
  // reads: no request just for an output (docs/image-promote.md, Outputs).
  plan.platforms_needed = image.is_index || other_repo;
  return plan;
}

std::vector<std::string> describe(const PromotePlan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.copies)
    out.push_back("copy " + c.from.str() + " to " + c.to.repo_name() +
                  (plan.referrers ? " (with its signatures, attestations and SBOMs)" : ""));
  for (const auto& m : plan.moves) {
    std::string expect;
    if (m.expect_current)
      expect = m.expect_current->empty() ? " (only if the tag does not exist yet)"
                                         : " (only if it points at " + short_digest(*m.expect_current) + ")";
    out.push_back("move " + m.target.str() + " to " + plan.image.digest + expect + ", recorded in its history");
  }
  return out;
}

PromoteResult execute(RegistrySession& session, const PromotePlan& plan, const kit::Env& env) {
  PromoteResult result;
  result.digest = plan.image.digest;
  result.media_type = plan.image.media_type;
  std::vector<std::string> done;
  auto part_way = [&](const std::string& what) {
    return kit::partial_error("promotion stopped part-way: " + kit::join(done, ", ") + " now point(s) at " +
                                  short_digest(plan.image.digest) + "; " + what,
                              "fix the cause and run the same promote again (tags already moved are left as they are)");
  };
  auto options_for = [&](const PlannedMove& planned) {
    MoveOptions options = plan.move_options;
    if (planned.target.registry == plan.source.registry) options.empty_blob_from = plan.source.repository;
    return options;
  };
  // While an image is copied into another repository of the same registry (mounts: a short
  // copy), what does not depend on it runs at once, each on its own pooled connection: the
  // look-up of what is attached to the image (reads of the source) and, when the first tag is in
  // that repository, its history and the empty blob (prepare_move). The history is read a copy's
  // length earlier than the tag (not across registries, where a copy can take minutes: the
  // history is a read-modify-write like the tag). The tag itself is read right before its PUT.
  std::optional<MovePrep> first_prep;
  // Copies first: a tag is moved only once the image is in every target repository.
  for (size_t i = 0; i < plan.copies.size(); ++i) {
    const auto& c = plan.copies[i];
    std::future<std::vector<Attached>> found;
    if (plan.referrers)
      found = std::async(std::launch::async, [&] { return find_attached(session, c.from, plan.image.digest); });
    std::future<MovePrep> prep;
    const PlannedMove& first = plan.moves.front();
    if (i + 1 == plan.copies.size() && c.to.registry == c.from.registry && first.target.repo_name() == c.to.repo_name())
      prep = std::async(std::launch::async, [&] {
        return prepare_move(*session.client(first.target.registry), first, options_for(first));
      });
    // In the first tag's repository, everything but the image manifest itself: that tag's PUT
    // stores it, one request less, and a move refused there leaves children and blobs, which
    // nothing refers to, rather than an untagged image. Every other repository gets the manifest
    // now, by digest: a registry that refuses it must do so before the first tag moves (exit 3,
    // nothing changed), not after (exit 4, part-way).
    const bool write_root = c.to.repo_name() != first.target.repo_name();
    result.stats.add(copy_tree(session, c.from, c.to, plan.image, plan.jobs, write_root));
    if (plan.referrers) result.attached += copy_found(session, c.from, c.to, found.get(), plan.jobs, result.stats);
    if (prep.valid()) first_prep = prep.get();
  }
  // With several tags, what could refuse a later tag is settled for all of them before the first
  // one moves (its history read: a newer or foreign one refuses; --expect-current checked): found
  // at that tag's turn, it would leave the earlier tags moved (exit 4, not 1 or 3).
  std::vector<std::optional<MovePrep>> preps(plan.moves.size());
  preps[0] = std::move(first_prep);
  for (size_t i = 0; plan.moves.size() > 1 && i < plan.moves.size(); ++i) {
    const PlannedMove& planned = plan.moves[i];
    if (!preps[i]) preps[i] = prepare_move(*session.client(planned.target.registry), planned, options_for(planned));
    if (!planned.expect_current) continue;
    std::string now = session.client(planned.target.registry)->head_manifest(planned.target.repository, planned.target.tag).value_or("");
    if (now != *planned.expect_current) {
      result.refusal = Refusal{RefusalKind::not_expected,
                               planned.target.str() + " points at " + short_digest(now) + ", not the expected " +
                                   short_digest(*planned.expect_current) + ": no tag was moved",
                               "check `image-promote history " + planned.target.repo_name() + " --tag " + planned.target.tag +
                                   "` and promote again with the right --expect-current"};
      return result;
    }
  }
  for (size_t i = 0; i < plan.moves.size(); ++i) {
    const PlannedMove& planned = plan.moves[i];
    TagMove m;
    try {
      auto client = session.client(planned.target.registry);
      m = move_tag(*client, planned, plan.image, options_for(planned), env, std::move(preps[i]));
    } catch (const kit::Error& e) {
      if (done.empty()) throw;
      throw part_way(planned.target.str() + " failed: " + e.what());
    }
    result.moves.push_back(m);
    if (m.state == MoveState::refused) {
      if (!done.empty()) throw part_way(m.refusal->message);
      result.refusal = m.refusal;
      break;
    }
    if (m.state == MoveState::moved || m.state == MoveState::recorded) done.push_back(planned.target.str());
  }
  if (plan.platforms_needed && !result.refusal)
    result.platforms = platforms_of(session, *session.client(plan.source.registry), plan.source.repository, plan.image);
  return result;
}

namespace {

// The digest a rollback goes to comes from registry data (the history): it becomes a URL path,
// so anything but a digest is refused.
RollbackPlan& checked(RollbackPlan& plan) {
  if (!plan.refusal && !valid_digest(plan.to))
    throw kit::environment_error("the promotion history of " + plan.move.target.str() +
                                     " names a previous digest that is not a sha256 digest; nothing was changed",
                                 "inspect `image-promote history`; roll back with --to DIGEST");
  return plan;
}

RollbackPlan plan_rollback_unchecked(const RollbackRequest& req, const History& history, const std::string& current);

}  // namespace

RollbackPlan plan_rollback(const RollbackRequest& req, const History& history, const std::string& current) {
  RollbackPlan plan = plan_rollback_unchecked(req, history, current);
  return checked(plan);
}

namespace {

RollbackPlan plan_rollback_unchecked(const RollbackRequest& req, const History& history, const std::string& current) {
  RollbackPlan plan;
  Reference target = req.repository.with_tag(req.tag);
  plan.current = current;
  plan.move = {target, current};
  std::string history_cmd = "image-promote history " + req.repository.str() + " --tag " + req.tag;
  auto refuse = [&](RefusalKind kind, std::string message, std::string hint) {
    plan.refusal = Refusal{kind, std::move(message), std::move(hint)};
    return plan;
  };
  // The guards come first: a workflow that rolls back after a refused promotion must not roll
  // production one release too far, whatever the history says.
  if (req.expect_current && *req.expect_current != current)
    return refuse(RefusalKind::not_expected,
                  target.str() + " points at " + short_digest(current) + ", not the expected " +
                      short_digest(*req.expect_current) + ": it was not moved there (or was moved since); nothing was changed",
                  "see `" + history_cmd + "`; a promotion that was refused needs no rollback");
  if (history.entries.empty() && history.unreadable.empty())
    throw kit::usage_error("no promotion history for " + target.str() + "; nothing to roll back to, nothing was changed",
                           "only tags moved by `image-promote promote` can be rolled back; use promote --to " + req.tag +
                               " with the digest you want");
  // The entry that promoted `digest` most recently. A later rollback *to* it (same digest, action
  // rollback) names what that rollback undid, not what the tag held before the promotion: following
  // it would move the tag forward to the release that was rolled back.
  auto promotion_of = [&](const std::string& digest) {
    return std::find_if(history.entries.begin(), history.entries.end(),
                        [&](const HistoryEntry& e) { return e.digest == digest && e.action == "promote"; });
  };
  if (!req.to_previous_of.empty()) {
    if (current != req.to_previous_of)
      return refuse(RefusalKind::not_expected,
                    target.str() + " points at " + short_digest(current) + ", not at " + short_digest(req.to_previous_of) +
                        " whose promotion is to be rolled back: it was not promoted there (or was moved since); "
                        "nothing was changed",
                    "see `" + history_cmd + "`; a promotion that was refused needs no rollback");
    auto it = promotion_of(req.to_previous_of);
    if (it == history.entries.end())
      return refuse(RefusalKind::not_promoted,
                    req.to_previous_of + " was never promoted to " + target.str() +
                        " by image-promote (its history does not list it); nothing was changed",
                    "see `" + history_cmd + "` and roll back with --to DIGEST (a promotion that raced another "
                    "without --expect-current can be missing from the history)");
    plan.to = it->previous;
    if (plan.to.empty())
      throw kit::usage_error(target.str() + " did not exist before " + short_digest(req.to_previous_of) +
                                 " was promoted; there is nothing to roll back to",
                             "promote the digest you want with promote --to " + req.tag);
    return plan;
  }
  if (!req.to.empty()) {
    // A rollback goes back to a release the tag ran. Any other digest (a build never promoted, or
    // one the scan gate refused) would reach production without the gate: that is a promotion.
    // An unreadable history cannot say: --to is then the documented way out and stays allowed.
    bool ran = req.to == current || std::any_of(history.entries.begin(), history.entries.end(), [&](const HistoryEntry& e) {
                 return e.digest == req.to || e.previous == req.to;
               });
    if (!ran && history.unreadable.empty() && !req.allow_unrecorded)
      return refuse(RefusalKind::not_promoted,
                    short_digest(req.to) + " never ran as " + target.str() +
                        ": its history neither shows it promoted there nor held before a promotion; nothing was changed",
                    "a rollback goes back to a release the tag ran (see `" + history_cmd + "`); to put another image there, "
                    "promote it (the scan gate applies): image-promote promote " + req.repository.str() + "@" + req.to +
                        " --to " + req.tag + " --require-scan REPORT; or pass --allow-unrecorded if the tag ran it before its history began");
    plan.to = req.to;
    return plan;
  }
  if (req.steps > 1) {
    // N promotions back along what each release replaced. Counting entries instead would count
    // rollbacks too: after D3 was rolled back to D2 and D4 promoted, two entries back from D4 is D3,
    // the release already rolled back as bad; two promotions back is D1.
    std::string at = current;
    for (int k = 0; k < req.steps; ++k) {
      auto it = promotion_of(at);
      if (it == history.entries.end())
        throw kit::usage_error("--steps " + std::to_string(req.steps) + ": " + (at.empty() ? std::string("(no tag)") : short_digest(at)) +
                                   " is not a promotion the history of " + target.str() + " records, so there is no chain of " +
                                   std::to_string(req.steps) + " promotions to go back along; nothing was changed",
                               "see `" + history_cmd + "` and roll back with --to DIGEST");
      if (it->previous.empty())
        throw kit::usage_error("--steps " + std::to_string(req.steps) + " goes past the first promotion of " + target.str() +
                                   "; nothing was changed",
                               "see `" + history_cmd + "`");
      at = it->previous;
    }
    plan.to = at;
    return plan;
  }
  if (static_cast<size_t>(req.steps) > history.entries.size())
    throw kit::usage_error("--steps " + std::to_string(req.steps) + " goes past the " +
                               std::to_string(history.entries.size()) + " recorded promotion(s) of " + target.str(),
                           "see `" + history_cmd + "`");
  // Guarded by --expect-current D, a rollback undoes D's promotion. When the last change was not
  // that promotion (D re-promoted as a no-op after a rollback to it, or a promotion that lost a
  // race without --expect-current), the previous entry is not what came before D.
  const HistoryEntry& last = history.entries.front();
  if (req.expect_current && req.steps == 1 && !current.empty() && !(last.digest == current && last.action == "promote")) {
    auto it = promotion_of(current);
    if (it != history.entries.end() && !it->previous.empty()) {
      plan.warnings.push_back("the last change of " + target.str() + " is not the promotion of " + short_digest(current) + " (" +
                              last.action + " of " + short_digest(last.digest) + "): rolling back to what it held before " +
                              short_digest(current) + " was promoted (" + short_digest(it->previous) + ")");
      plan.to = it->previous;
      return plan;
    }
  }
  if (current != history.entries.front().digest)
    plan.warnings.push_back(target.str() + " points at " + (current.empty() ? "nothing" : current) +
                            ", not at its last recorded promotion " + history.entries.front().digest +
                            ": it was moved outside image-promote");
  plan.to = history.entries[req.steps - 1].previous;
  if (plan.to.empty())
    throw kit::usage_error(target.str() + " did not exist before that promotion; there is nothing to roll back to",
                           "promote the digest you want with promote --to " + req.tag);
  return plan;
}

}  // namespace

std::vector<std::string> describe(const RollbackPlan& plan) {
  if (plan.refusal) return {"refuse: " + plan.refusal->message};
  return {"move " + plan.move.target.str() + " from " + (plan.current.empty() ? "(none)" : plan.current) + " to " +
          plan.to + " (only if it still points at " + short_digest(plan.current) + "), recorded in its history"};
}

RollbackState read_rollback_state(RegistrySession& session, const RollbackRequest& req) {
  auto client = session.client(req.repository.registry);
  RollbackState state;
  state.history = read_history(*client, req.repository.repository, req.tag);
  if (!state.history.unreadable.empty()) {
    if (req.to.empty())
      throw kit::environment_error(state.history.unreadable + "; nothing was changed",
                                   "roll back with --to DIGEST (the digest you want; it starts a new history over this one)");
    // With --to, the move starts a new history (prepare_move says so).
  }
  state.current = client->head_manifest(req.repository.repository, req.tag).value_or("");
  return state;
}

RollbackResult execute(RegistrySession& session, const RollbackPlan& plan, const RollbackRequest& req,
                       const kit::Env& env) {
  auto client = session.client(req.repository.registry);
  auto image = client->get_manifest(req.repository.repository, plan.to);
  if (!image)
    throw kit::usage_error(req.repository.str() + "@" + plan.to + " no longer exists in the registry; nothing was changed",
                           "pick another entry from `image-promote history` with --to");
  MoveOptions options;
  options.action = "rollback";
  options.source = req.repository.str() + "@" + plan.to;
  options.settle = req.settle;
  return RollbackResult{move_tag(*client, plan.move, *image, options, env), image->digest};
}

}  // namespace image_promote
