#pragma once
// Moving tags: promote (copy by digest if needed, then point tags at it) and rollback (point a
// tag back at a digest from its history). Each is planned first, as a value (what would be copied
// and which tags would move: --dry-run prints it), then executed. Each tag move reads the current
// digest just before writing, writes, verifies, and only then records the history; a failure
// after the write puts the tag back, so a move either happens completely or leaves the tag as it
// was. A "no" (the tag is not where it was expected, a racing promotion won) is a result, not an
// exception; an exception's category says whether anything changed (3: nothing, 4: part-way).
#include <optional>
#include <string>
#include <vector>

#include "image-promote/blob_copy.hpp"
#include "image-promote/history.hpp"
#include "kit/duration.hpp"
#include "kit/env.hpp"

namespace image_promote {

// What happened to one tag.
enum class MoveState {
  moved,      // the tag points at the image now, and the move is recorded
  recorded,   // the tag already pointed at the image (moved outside image-promote): recorded only
  unchanged,  // already there and recorded: nothing written
  refused,    // not moved: see Refusal
};
const char* move_state_name(MoveState s);  // "moved", "recorded", "unchanged", "refused"

// Why a tag was not moved, each a negative answer (exit 1) with nothing changed by us.
enum class RefusalKind {
  not_expected,  // the tag does not point at --expect-current (another promotion moved it)
  overwritten,   // someone else's write replaced ours right away (ours is not in effect)
  lost_race,     // after --settle, a concurrent promotion's digest is there instead of ours
  not_promoted,  // rollback --to-previous-of / --to: the digest was never promoted to (or held by) this tag
};

struct Refusal {
  RefusalKind kind;
  std::string message;
  std::string hint;
};

struct TagMove {
  Reference target;
  std::string previous;  // what the tag pointed at when read just before the write ("" = no tag)
  MoveState state = MoveState::unchanged;
  std::optional<Refusal> refusal;  // when state == refused
};

// One planned tag move.
struct PlannedMove {
  Reference target;                           // repo:tag
  std::optional<std::string> expect_current;  // "" = the tag must not exist
};

// One planned copy of the image (and what is attached to it) into another repository.
struct PlannedCopy {
  Reference from;  // the source repository
  Reference to;    // the target repository (its tag is not written by the copy)
};

struct MoveOptions {
  std::string action = "promote";  // recorded in the history
  std::string source;              // recorded in the history (the reference promoted from)
  kit::Millis settle{0};           // with expect_current: wait, then check no racing write won
  // A repository of the target's registry to mount the empty blob `{}` from when the tag has no
  // history yet ("": the target repository itself). The source's, when it is on that registry.
  std::string empty_blob_from;
};

// Points target (repo:tag) at `image`, whose children and blobs must already be in target's
// repository (the image manifest itself is stored by the tag's PUT).
// What a move reads (and writes) before it reads the tag: the tag's history and, when it has
// none yet, the empty blob the history manifest refers to. `promote` does it while the image is
// copied into a repository of the same registry (a short copy: mounts), then moves the tag.
struct MovePrep {
  History history;
};
MovePrep prepare_move(RegistryClient& client, const PlannedMove& move, const MoveOptions& options);
TagMove move_tag(RegistryClient& client, const PlannedMove& move, const Manifest& image, const MoveOptions& options,
                 const kit::Env& env, std::optional<MovePrep> prepared = std::nullopt);

struct PromoteRequest {
  Reference source;
  std::vector<Reference> targets;
  std::optional<std::string> expect_current;  // for every target; "" = must not exist
  kit::Millis settle{0};
  bool referrers = true;
  int jobs = 4;
};

// The promotion as a value: which copies, then which tag moves, in order. Pure: built from the
// request and the resolved source image, with no registry; --dry-run prints it.
struct PromotePlan {
  Reference source;  // as given (tag kept for the history)
  Manifest image;    // the resolved source: everything uses its digest
  std::vector<PlannedCopy> copies;
  std::vector<PlannedMove> moves;
  MoveOptions move_options;
  bool referrers = true;
  int jobs = 4;
  bool platforms_needed = false;  // an index, or a copy reads the config anyway (see PromoteResult)
};

PromotePlan plan_promote(const PromoteRequest& request, const Manifest& image);
// One line per step: "copy A -> B", "move B:tag to sha256:... (expect: ...)".
std::vector<std::string> describe(const PromotePlan& plan);

struct PromoteResult {
  std::string digest;
  std::string media_type;
  // An index's platforms; a single image's only when a target is in another repository (its
  // config is read or copied then anyway); empty for a retag inside one repository.
  std::vector<std::string> platforms;
  CopyStats stats;
  int attached = 0;
  std::vector<TagMove> moves;
  std::optional<Refusal> refusal;  // the first refused move (nothing after it was attempted)
};

// The source image (read once; everything after uses its digest). Throws a usage error when
// it does not exist.
Manifest resolve_source(RegistrySession& session, const Reference& source);

// Executes a plan. A refused first move is a result (refusal set, nothing changed); a failure
// after some tags moved is kit::Error(partial) naming them.
PromoteResult execute(RegistrySession& session, const PromotePlan& plan, const kit::Env& env);

struct RollbackRequest {
  Reference repository;
  std::string tag;
  int steps = 1;
  std::string to;  // a digest; wins over steps
  // Refuse unless the tag points at this digest now (the digest the workflow promoted).
  std::optional<std::string> expect_current;
  // Roll back the promotion of this digest: to what the tag held before it; the tag must point
  // at it now.
  std::string to_previous_of;
  // --to a digest the history never shows the tag holding (a build never promoted, one the scan
  // gate refused): refused unless allowed.
  bool allow_unrecorded = false;
  kit::Millis settle{0};
};

// The rollback as a value: decided from the history and the tag's current digest alone.
struct RollbackPlan {
  PlannedMove move;     // the tag, expected at its current digest
  std::string to;       // the digest it goes back to
  std::string current;  // what it points at now ("" = no tag)
  std::optional<Refusal> refusal;  // the tag is not where the request says: nothing to do
  std::vector<std::string> warnings;
};

// Pure. Throws kit::Error(usage) when the history cannot answer (no history, --steps past it,
// the first promotion); a tag that is not where --expect-current / --to-previous-of say is a
// refusal in the plan.
RollbackPlan plan_rollback(const RollbackRequest& request, const History& history, const std::string& current);
std::vector<std::string> describe(const RollbackPlan& plan);

// Reads what plan_rollback needs: the history and the current digest of the tag.
struct RollbackState {
  History history;
  std::string current;
};
RollbackState read_rollback_state(RegistrySession& session, const RollbackRequest& request);

struct RollbackResult {
  TagMove move;
  std::string digest;
};

RollbackResult execute(RegistrySession& session, const RollbackPlan& plan, const RollbackRequest& request,
                       const kit::Env& env);

// Platforms of an image: index entries, or os/architecture/variant from a single manifest's
// config (taken from `session` when a copy already downloaded it, else one GET).
std::vector<std::string> platforms_of(RegistrySession& session, RegistryClient& client, const std::string& repository,
                                      const Manifest& m);

}  // namespace image_promote
