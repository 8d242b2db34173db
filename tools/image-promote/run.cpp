// The commands: options -> validated request -> registry operations -> report.
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "image-promote/digest.hpp"
#include "image-promote/image_promote.hpp"
#include "image-promote/promote.hpp"
#include "image-promote/referrers.hpp"
#include "image-promote/trivy.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"
#include "kit/secrets.hpp"
#include "kit/text.hpp"

namespace image_promote {
namespace {



std::string required(const kit::Args& args, const std::string& name, const std::string& what) {
  std::string v = args.str(name);
  if (v.empty()) throw kit::usage_error("missing " + what + " (--" + name + ")");
  return v;
}

std::string required_positional(const kit::Args& args, const std::string& name, const std::string& what) {
  std::string v = args.str(name);
  if (v.empty()) throw kit::usage_error("missing " + what + " (see 'image-promote " + args.command() + " --help')");
  return v;
}

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw kit::usage_error("cannot read " + what + " '" + path + "'");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `registries`: every registry this command talks to. Credentials given for "the" registry
// (--username, REGISTRY_USERNAME) go to one registry only, never to a second one's token service.
RegistrySession make_session(kit::Context& ctx, const std::vector<std::string>& registries) {
  const auto& args = ctx.args;
  ClientOptions options;
  for (const auto& h : kit::split_commas(args.list("insecure-registry"))) options.insecure_registries.push_back(h);
  options.tls.cacert = args.str("cacert");
  options.retry.max_attempts = static_cast<int>(args.integer("retries", 1, 20));
  options.retry.initial_delay = args.duration("retry-delay");
  options.retry.max_delay = std::max(options.retry.initial_delay, kit::Millis{10'000});
  std::string password = args.str("password");
  if (!password.empty() && !ctx.env.get("INPUT_PASSWORD"))
    kit::log::warn("--password on the command line is visible to other processes; use --password-stdin or INPUT_PASSWORD");
  if (args.flag("password-stdin")) {
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) throw kit::usage_error("--password-stdin: nothing on standard input");
  }
  if (!password.empty()) kit::secrets().add(password);
  CredentialSources sources = credential_sources(ctx.env, args.str("username"), password);
  if (sources.explicit_credential) {
    std::set<std::string> distinct(registries.begin(), registries.end());
    sources.explicit_for = args.str("credentials-for");
    if (sources.explicit_for.empty() && distinct.size() > 1)
      throw kit::usage_error("the credentials from " + sources.explicit_credential->source + " would go to " + kit::join({distinct.begin(), distinct.end()}, " and ") +
                             ": say which registry they are for with --credentials-for HOST (the other one uses GITHUB_TOKEN or the docker config)");
    if (sources.explicit_for.empty()) sources.explicit_for = *distinct.begin();
  }
  return RegistrySession(options, sources);
}

int jobs_of(const kit::Args& args) { return static_cast<int>(args.integer("jobs", 1, 64)); }

void write_copy_outputs(kit::Report& report, const std::string& digest, const std::string& previous,
                        const std::vector<std::string>& platforms, const CopyStats& stats) {
  report.output("digest", digest);
  report.output("previous-digest", previous);
  report.output("platforms", kit::join(platforms));
  report.output("bytes-uploaded", std::to_string(stats.bytes_uploaded));
  report.output("blobs-mounted", std::to_string(stats.blobs_mounted));
  report.result("digest", digest);
  report.result("previous_digest", previous);
  report.result("platforms", platforms);
  report.result("bytes_uploaded", stats.bytes_uploaded);
  report.result("blobs_mounted", stats.blobs_mounted);
  report.result("blobs_uploaded", stats.blobs_uploaded);
  report.result("blobs_present", stats.blobs_present);
  report.result("manifests_written", stats.manifests_written);
}

// ---- gate -------------------------------------------------------------------------------

GatePolicy gate_policy(const kit::Args& args) {
  GatePolicy p;
  p.threshold = threshold_of({args.str("fail-on")});
  p.ignore_unfixed = args.flag("ignore-unfixed");
  if (auto f = args.str("ignore-file"); !f.empty()) p.ignore = parse_trivyignore(read_file(f, "ignore file"));
  p.today = utc_now().substr(0, 10);
  return p;
}

// Reports a judged report (summary, annotations, outputs); returns true when it blocks.
bool report_gate(kit::Context& ctx, const std::string& report_path, const GatePolicy& policy, const GateResult& g) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : g.blocking) {
    if (rows.size() >= 100) break;
    rows.push_back({severity_name(f.severity), f.id, f.package, f.installed, f.fixed.empty() ? "(no fix)" : f.fixed, f.title});
  }
  int annotated = 0;
  for (const auto& f : g.blocking) {
    if (++annotated > 20) break;  // the UI shows a handful per step; the summary has them all
    ctx.report.annotate(kit::Severity::error,
                        std::string(severity_name(f.severity)) + " " + f.id + " in " + f.package + " " + f.installed +
                            (f.fixed.empty() ? " (no fix yet)" : " (fixed in " + f.fixed + ")") + ": " + f.title,
                        kit::Location{report_path, 0, 0, 0, "image-promote gate: " + f.id});
  }
  std::string counts;
  for (auto s : {Severity::critical, Severity::high, Severity::medium, Severity::low, Severity::unknown})
    counts += std::string(counts.empty() ? "" : ", ") + severity_name(s) + " " +
              std::to_string(g.counts.count(s) ? g.counts.at(s) : 0);
  if (g.duplicates) counts += ", " + std::to_string(g.duplicates) + " repeated under another target counted once";
  std::string md = std::string("### image-promote gate: ") + (g.blocked() ? "BLOCKED" : "passed") + "\n\n";
  md += "Report `" + report_path + "`" + (g.artifact.empty() ? "" : " for `" + g.artifact + "`") + ": " +
        std::to_string(g.total) + " finding(s) (" + counts + "); threshold " + severity_name(policy.threshold) +
        (policy.ignore_unfixed ? ", unfixed ignored" : "") + ", " + std::to_string(g.ignored.size()) + " ignored.\n\n";
  if (!rows.empty()) md += kit::markdown_table({"severity", "id", "package", "installed", "fixed in", "title"}, rows);
  ctx.report.summary(md);
  ctx.report.output("blocking-findings", std::to_string(g.blocking.size()));
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : g.blocking)
    findings.push_back({{"id", f.id}, {"severity", severity_name(f.severity)}, {"package", f.package},
                        {"installed", f.installed}, {"fixed", f.fixed}, {"title", f.title}, {"target", f.target}});
  ctx.report.result("blocking_findings", findings);
  ctx.report.result("ignored_findings", g.ignored.size());
  ctx.report.result("total_findings", g.total);
  return g.blocked();
}

std::string describe(const std::vector<ReportDigest>& digests) {
  std::string out;
  for (const auto& d : digests) out += (out.empty() ? "" : ", ") + d.digest + " (" + d.field + ")";
  return out;
}

// `promote --require-scan`: the report must be of the image promoted. Refuses (usage, exit 2:
// the input is wrong, the gate has not judged this image) a report whose digests are all
// another image's; warns when it names none. An index's platform configs are read only when the
// cheap comparison (index and platform manifest digests) fails.
void check_scan_is_of(kit::Context& ctx, const std::string& report_path, const GateResult& g, RegistrySession& session,
                      const Reference& source, const Manifest& image) {
  std::vector<std::string> known{image.digest};
  for (const auto& c : image.children) known.push_back(c.digest);
  if (image.config) known.push_back(image.config->digest);
  ImageTie tie = tie_report_to_image(g.image_digests, known);
  if (tie.kind == ImageTie::foreign && image.is_index) {
    auto client = session.client(source.registry);
    for (const auto& c : image.children)
      if (auto m = client->get_manifest(source.repository, c.digest); m && m->config) known.push_back(m->config->digest);
    tie = tie_report_to_image(g.image_digests, known);
  }
  ctx.report.result("scan_image_check", tie.kind == ImageTie::matched   ? "matched"
                                        : tie.kind == ImageTie::foreign ? "foreign"
                                                                        : "unchecked");
  if (tie.kind == ImageTie::unchecked) {
    kit::log::warn("the scan report " + report_path + " names no image digest (ArtifactName@digest, Metadata.RepoDigests, "
                   "Metadata.ImageID): it cannot be checked to be of " + image.digest + "; the gate judges it as given");
    return;
  }
  if (tie.kind == ImageTie::foreign)
    throw kit::usage_error("the scan report " + report_path + " is of another image: it names " + describe(tie.unmatched) +
                               ", none of which is " + image.digest + ", one of its platform manifests or their configs; "
                               "nothing was changed",
                           "scan the image being promoted (trivy image --format json " + source.with_digest(image.digest).str() +
                               ") and pass that report to --require-scan");
  if (!tie.unmatched.empty())
    kit::log::warn("the scan report " + report_path + " is of " + image.digest + " (" + describe(tie.matched_digests) +
                   ") but also names " + describe(tie.unmatched));
}

}  // namespace

kit::Outcome run_gate(kit::Context& ctx) {
  std::string path = required(ctx.args, "trivy-report", "Trivy report");
  GatePolicy policy = gate_policy(ctx.args);
  if (report_gate(ctx, path, policy, evaluate_report(read_file(path, "Trivy report"), policy)))
    return {kit::Exit::negative, "scan gate: findings at or above " + std::string(severity_name(policy.threshold)) + " remain",
            "fix or upgrade the listed packages, or list accepted risks in a .trivyignore with an exp: date"};
  return {kit::Exit::ok, "scan gate passed (nothing at or above " + std::string(severity_name(policy.threshold)) + ")", ""};
}

// ---- read-only commands -----------------------------------------------------------------

kit::Outcome run_digest(kit::Context& ctx) {
  Reference ref = parse_reference(required_positional(ctx.args, "image", "image reference"));
  auto session = make_session(ctx, {ref.registry});
  session.need(ref.registry, ref.repository, false);
  auto client = session.client(ref.registry);
  auto digest = client->head_manifest(ref.repository, ref.reference());
  if (!digest)
    throw kit::usage_error(ref.str() + " does not exist in the registry", "check the repository and tag spelling");
  std::cout << (ctx.report.json_mode() ? "" : *digest + "\n");
  ctx.report.output("digest", *digest);
  ctx.report.result("digest", *digest);
  return {kit::Exit::ok, ref.str() + " is " + *digest, ""};
}

kit::Outcome run_inspect(kit::Context& ctx) {
  Reference ref = parse_reference(required_positional(ctx.args, "image", "image reference"));
  auto session = make_session(ctx, {ref.registry});
  session.need(ref.registry, ref.repository, false);
  auto client = session.client(ref.registry);
  auto m = client->get_manifest(ref.repository, ref.reference());
  if (!m) throw kit::usage_error(ref.str() + " does not exist in the registry", "check the repository and tag spelling");
  auto describe = [&](const Manifest& image) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : image.layers) layers.push_back({{"digest", l.digest}, {"size", l.size}, {"media_type", l.media_type}});
    nlohmann::json j = {{"digest", image.digest}, {"media_type", image.media_type}, {"size", image.total_size()}, {"layers", layers}};
    if (image.config) j["config"] = {{"digest", image.config->digest}, {"size", image.config->size}, {"media_type", image.config->media_type}};
    if (!image.artifact_type.empty()) j["artifact_type"] = image.artifact_type;
    return j;
  };
  nlohmann::json out = {{"reference", ref.str()}, {"digest", m->digest}, {"media_type", m->media_type}};
  auto platforms = platforms_of(session, *client, ref.repository, *m);
  out["platforms"] = platforms;
  if (m->is_index) {
    nlohmann::json manifests = nlohmann::json::array();
    for (const auto& c : m->children) {
      auto cm = client->get_manifest(ref.repository, c.digest);
      nlohmann::json j = cm ? describe(*cm) : nlohmann::json{{"digest", c.digest}, {"missing", true}};
      j["platform"] = c.platform;
      manifests.push_back(j);
    }
    out["manifests"] = manifests;
  } else {
    out.update(describe(*m));
    out["platforms"] = platforms;
  }
  if (!ctx.report.json_mode()) std::cout << out.dump(2) << "\n";
  for (auto it = out.begin(); it != out.end(); ++it) ctx.report.result(it.key(), it.value());
  ctx.report.output("digest", m->digest);
  ctx.report.output("platforms", kit::join(platforms));
  return {kit::Exit::ok, ref.str() + ": " + m->media_type + ", " + std::to_string(platforms.size()) + " platform(s)", ""};
}

kit::Outcome run_history(kit::Context& ctx) {
  Reference repo = parse_repository(required_positional(ctx.args, "repository", "repository"));
  std::string tag = required(ctx.args, "tag", "tag");
  if (!valid_tag(tag)) throw kit::usage_error("--tag: '" + tag + "' is not a valid tag");
  long long limit = ctx.args.integer("limit", 1, 100000);
  auto session = make_session(ctx, {repo.registry});
  session.need(repo.registry, repo.repository, false);
  auto client = session.client(repo.registry);
  History h = read_history(*client, repo.repository, tag);
  std::vector<std::vector<std::string>> rows;
  nlohmann::json entries = nlohmann::json::array();
  for (size_t i = 0; i < h.entries.size() && static_cast<long long>(i) < limit; ++i) {
    const auto& e = h.entries[i];
    rows.push_back({e.time, e.action, e.digest, e.previous.empty() ? "(new tag)" : e.previous, e.source, e.run_url});
    entries.push_back({{"time", e.time}, {"action", e.action}, {"digest", e.digest}, {"previous", e.previous},
                       {"source", e.source}, {"run_url", e.run_url}, {"actor", e.actor}});
    if (!ctx.report.json_mode())
      std::cout << e.time << "  " << e.action << "  " << e.digest << "  (was " << (e.previous.empty() ? "none" : e.previous)
                << ")  " << e.source << (e.run_url.empty() ? "" : "  " + e.run_url) << "\n";
  }
  ctx.report.result("entries", entries);
  ctx.report.output("digest", h.entries.empty() ? "" : h.entries.front().digest);
  ctx.report.summary("### image-promote history: " + repo.str() + ":" + tag + "\n\n" +
                     (rows.empty() ? std::string("No promotions recorded.\n")
                                   : kit::markdown_table({"time", "action", "digest", "previous", "source", "run"}, rows)));
  return {kit::Exit::ok, std::to_string(h.entries.size()) + " promotion(s) recorded for " + repo.str() + ":" + tag, ""};
}

// ---- copy -----------------------------------------------------------------------------

kit::Outcome run_copy(kit::Context& ctx) {
  const auto& args = ctx.args;
  Reference src = parse_reference(required_positional(args, "source", "source image"));
  Reference dst = parse_reference(required_positional(args, "destination", "destination"), "");
  auto platforms = kit::split_commas(args.list("platform"));
  bool dry = args.flag("dry-run");
  auto session = make_session(ctx, {src.registry, dst.registry});
  session.need(src.registry, src.repository, false);
  session.need(dst.registry, dst.repository, true);
  if (dst.registry == src.registry) session.need(src.registry, src.repository, false);
  auto s = session.client(src.registry);
  auto image = s->get_manifest(src.repository, src.reference());
  if (!image) throw kit::usage_error(src.str() + " does not exist in the registry; nothing was copied", "check the reference");
  Manifest root = *image;
  if (!platforms.empty()) {
    if (!root.is_index) throw kit::usage_error("--platform needs an index (multi-platform image); " + src.str() + " is a single image");
    root = parse_manifest(filter_index(*image, platforms), image->media_type);
    if (root.children.empty()) {
      std::vector<std::string> have;
      for (const auto& c : image->children) have.push_back(c.platform.empty() ? "(none)" : c.platform);
      throw kit::usage_error("--platform " + kit::join(platforms) + " matches no platform of " + src.str() + " (it has " +
                                 kit::join(have, ", ") + "); nothing was copied",
                             "give OS/ARCH[/VARIANT] as listed; a missing variant means the default (arm64: v8, arm: v7)");
    }
    kit::log::warn("--platform: the copy is a new index with digest " + root.digest + " (the source's is " + image->digest + ")");
  }
  if (!dst.digest.empty() && dst.digest != root.digest)
    throw kit::usage_error("destination digest " + dst.digest + " differs from the source's " + root.digest);
  if (dst.tag.empty() && dst.digest.empty()) dst.tag = src.tag;
  auto d = session.client(dst.registry);
  std::string previous = dst.tag.empty() ? "" : d->head_manifest(dst.repository, dst.tag).value_or("");
  CopyStats stats = copy_tree(session, src, dst, root, jobs_of(args), dry);
  int attached = 0;
  if (!args.flag("no-referrers") && src.repo_name() != dst.repo_name())
    attached = copy_attached(session, src, dst, image->digest, jobs_of(args), dry, stats);
  if (!dst.tag.empty() && !dry) {
    std::string error;
    bool put_ok = d->try_put_manifest(dst.repository, dst.tag, root.media_type, root.body, error);
    // Read back even after a failed PUT: a lost answer may hide a write that happened.
    std::optional<std::string> now;
    try {
      now = d->head_manifest(dst.repository, dst.tag);
    } catch (const kit::Error& e) {
      // The tag may well be written now: "nothing changed" (exit 3) would be untrue.
      throw kit::partial_error(std::string(put_ok ? "the registry accepted the tag " + dst.str() + " but it"
                                                  : "the write of " + dst.str() + " failed and the tag") +
                                   " could not be read back to verify it: " + e.what(),
                               "check what it points at with `image-promote digest " + dst.str() +
                                   "` (expected " + root.digest + "), then run the same copy again if needed");
    }
    if (now != root.digest) {
      if (!put_ok && now.value_or("") == previous)
        throw kit::environment_error("could not tag " + dst.str() + ": " + error + "; the image is in " + dst.repo_name() +
                                         " by digest but the tag is unchanged",
                                     "run the same copy again: what was copied is skipped");
      throw kit::partial_error(dst.str() + " does not resolve to " + root.digest + " after the copy",
                               "another writer moved the tag; check it and copy again");
    }
  }
  auto plats = platforms_of(session, *s, src.repository, root);
  write_copy_outputs(ctx.report, root.digest, previous, plats, stats);
  ctx.report.result("attached_artifacts", attached);
  ctx.report.result("requests", session.traffic().requests.load());
  Reference shown = dst.tag.empty() ? dst.with_digest(root.digest) : dst;
  ctx.report.summary(std::string("### image-promote copy") + (dry ? " (dry run)" : "") + "\n\n" +
                     kit::markdown_table({"source", "destination", "digest", "platforms", "bytes uploaded", "blobs mounted", "blobs present"},
                                         {{src.str(), shown.str(), root.digest, kit::join(plats, " "), std::to_string(stats.bytes_uploaded),
                                           std::to_string(stats.blobs_mounted), std::to_string(stats.blobs_present)}}));
  return {kit::Exit::ok,
          (dry ? "would copy " : "copied ") + src.str() + " to " + shown.str() + " (" + std::to_string(stats.bytes_uploaded) +
              " bytes uploaded, " + std::to_string(stats.blobs_mounted) + " blobs mounted)",
          ""};
}

// ---- promote / rollback ---------------------------------------------------------------

// Registry errors that escape promote/rollback come from before any tag was written (the steps
// after a write report their own exact state), so they say so.
template <typename F>
auto nothing_changed_on_error(F f) {
  try {
    return f();
  } catch (const kit::Error& e) {
    std::string what = e.what();
    if (e.code() != kit::Exit::environment || what.find("nothing was changed") != std::string::npos) throw;
    throw kit::Error(e.code(), what + "; nothing was changed", e.hint());
  }
}

std::vector<Reference> parse_targets(const std::string& to, const Reference& src) {
  std::vector<Reference> out;
  for (const auto& t : kit::split_commas({to})) {
    Reference r;
    if (t.find('/') == std::string::npos) {
      if (!valid_tag(t)) throw kit::usage_error("--to: '" + t + "' is not a valid tag");
      r = src.with_tag(t);
    } else {
      r = parse_reference(t, "");
      if (r.tag.empty() || !r.digest.empty()) throw kit::usage_error("--to: '" + t + "' must name a tag (REPO:TAG) and no digest");
    }
    if (r.tag.rfind("_yonima-history-", 0) == 0) throw kit::usage_error("--to: '" + t + "' is a history tag");
    out.push_back(r);
  }
  if (out.empty()) throw kit::usage_error("missing --to: the tag(s) to promote to");
  return out;
}

std::optional<std::string> expect_current(const kit::Args& args) {
  if (!args.has("expect-current")) return std::nullopt;
  std::string v = args.str("expect-current");
  if (v == "none") return std::string();
  if (!valid_digest(v)) throw kit::usage_error("--expect-current: '" + v + "' is not a sha256 digest (or 'none')");
  return v;
}

void report_moves(kit::Context& ctx, const std::string& title, const std::vector<TagMove>& moves, bool dry) {
  std::vector<std::vector<std::string>> rows;
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& m : moves) {
    rows.push_back({m.target.str(), m.previous.empty() ? "(new tag)" : m.previous, m.state});
    tags.push_back({{"tag", m.target.str()}, {"previous", m.previous}, {"state", m.state}});
  }
  ctx.report.result("tags", tags);
  ctx.report.summary("### image-promote " + title + (dry ? " (dry run)" : "") + "\n\n" +
                     kit::markdown_table({"tag", "previous digest", "result"}, rows));
}

kit::Outcome run_promote(kit::Context& ctx) {
  const auto& args = ctx.args;
  PromoteRequest req;
  req.source = parse_reference(required_positional(args, "source", "source image"));
  if (req.source.digest.empty() && !args.flag("allow-tag-source"))
    throw kit::usage_error("source " + req.source.str() + " is not pinned to a digest; give REPO@sha256:... (or --allow-tag-source)",
                           "find the digest with `image-promote digest " + req.source.str() + "`");
  req.targets = parse_targets(required(args, "to", "target tags"), req.source);
  if (req.targets.size() > 1 && args.has("expect-current"))
    kit::log::info("--expect-current applies to every tag in --to");
  req.move.expect_current = expect_current(args);
  req.move.dry_run = args.flag("dry-run");
  req.move.settle = args.duration("settle");
  req.referrers = !args.flag("no-referrers");
  req.jobs = jobs_of(args);
  // The report is read and judged before any request (a bad file fails fast); whether it is of
  // the image needs the image, so that check comes after resolving the source, before any write.
  std::string scan = args.str("require-scan");
  GatePolicy policy;
  GateResult gate;
  if (!scan.empty()) {
    policy = gate_policy(args);
    gate = evaluate_report(read_file(scan, "Trivy report"), policy);
  }
  std::vector<std::string> registries{req.source.registry};
  for (const auto& t : req.targets) registries.push_back(t.registry);
  auto session = make_session(ctx, registries);
  session.need(req.source.registry, req.source.repository, false);
  for (const auto& t : req.targets) session.need(t.registry, t.repository, true);
  Manifest image = nothing_changed_on_error([&] { return resolve_source(session, req.source); });
  if (!scan.empty()) {
    nothing_changed_on_error([&] { check_scan_is_of(ctx, scan, gate, session, req.source, image); });
    if (report_gate(ctx, scan, policy, gate))
      return {kit::Exit::negative, "promotion refused: the scan has findings at or above " + std::string(severity_name(policy.threshold)) +
                                       "; nothing was changed",
              "fix the findings, or accept them in a .trivyignore (--ignore-file) with an exp: date"};
  }
  PromoteResult r = nothing_changed_on_error([&] { return promote(session, req, image, ctx.env); });
  std::string previous = r.moves.empty() ? "" : r.moves.front().previous;
  write_copy_outputs(ctx.report, r.digest, previous, r.platforms, r.stats);
  ctx.report.result("attached_artifacts", r.attached);
  ctx.report.result("requests", session.traffic().requests.load());
  report_moves(ctx, "promote " + req.source.str(), r.moves, req.move.dry_run);
  std::vector<std::string> moved, unchanged;
  for (const auto& m : r.moves) (m.state == "unchanged" ? unchanged : moved).push_back(m.target.tag);
  std::string headline = req.move.dry_run ? "dry run: " : "";
  if (!moved.empty()) headline += (req.move.dry_run ? "would promote " : "promoted ") + r.digest.substr(0, 19) + " to " + kit::join(moved);
  if (!unchanged.empty()) headline += std::string(moved.empty() ? "" : "; ") + kit::join(unchanged) + " already at " + r.digest.substr(0, 19);
  return {kit::Exit::ok, headline, ""};
}

kit::Outcome run_rollback(kit::Context& ctx) {
  const auto& args = ctx.args;
  RollbackRequest req;
  req.repository = parse_repository(required_positional(args, "repository", "repository"));
  req.tag = required(args, "tag", "tag to roll back");
  if (!valid_tag(req.tag)) throw kit::usage_error("--tag: '" + req.tag + "' is not a valid tag");
  if (args.has("steps") && args.has("to")) throw kit::usage_error("give --steps or --to, not both");
  if (args.has("steps")) req.steps = static_cast<int>(args.integer("steps", 1, 100));
  if (args.has("to")) {
    req.to = args.str("to");
    if (!valid_digest(req.to)) throw kit::usage_error("--to: '" + req.to + "' is not a sha256 digest");
  }
  req.settle = args.duration("settle");
  req.dry_run = args.flag("dry-run");
  auto session = make_session(ctx, {req.repository.registry});
  session.need(req.repository.registry, req.repository.repository, true);
  RollbackResult r = nothing_changed_on_error([&] { return rollback(session, req, ctx.env); });
  write_copy_outputs(ctx.report, r.digest, r.move.previous, {}, CopyStats{});
  report_moves(ctx, "rollback " + req.repository.str() + ":" + req.tag, {r.move}, req.dry_run);
  std::string what = req.repository.str() + ":" + req.tag;
  if (r.move.state == "unchanged") return {kit::Exit::ok, what + " already points at " + r.digest, ""};
  return {kit::Exit::ok,
          std::string(req.dry_run ? "would roll back " : "rolled back ") + what + " from " +
              (r.move.previous.empty() ? "(none)" : r.move.previous.substr(0, 19)) + " to " + r.digest.substr(0, 19),
          ""};
}

}  // namespace image_promote
