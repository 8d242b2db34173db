// plan: options -> rules + ref -> ota::decide -> outputs that workflow conditions can use.
#include "kit/text.hpp"
#include "ota-publish/ota_publish.hpp"
#include "ota-publish/ref_plan.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace ota {

kit::Outcome run_plan(kit::Context& ctx) {
  std::string ref = ctx.args.opt("ref").value_or("");
  if (ref.empty()) ref = ctx.env.get_or("GITHUB_REF", "");
  if (ref.empty()) throw kit::usage_error("missing --ref (or INPUT_REF, or GITHUB_REF)");
  std::vector<RefRule> rules;
  if (ctx.args.has("rule")) {
    for (const auto& text : ctx.args.list("rule")) {
      std::string problem;
      auto rule = parse_rule(text, problem);
      if (!rule) throw kit::usage_error("--rule '" + shown(text, 100) + "': " + problem);
      rules.push_back(std::move(*rule));
    }
  } else {
    rules = default_rules();
  }
  RefDecision d = decide(rules, ref);
  auto yes = [](bool b) { return std::string(b ? "true" : "false"); };
  ctx.report.output("action", std::string(action_name(d.action)));
  ctx.report.output("build", yes(d.action == PipelineAction::build || d.action == PipelineAction::release));
  ctx.report.output("update", yes(d.action == PipelineAction::update));
  ctx.report.output("submit", yes(d.action == PipelineAction::release));
  ctx.report.output("profile", d.profile);
  ctx.report.output("channel", d.channel);
  ctx.report.output("version", d.version);
  ctx.report.output("ref-name", kit::valid_utf8(d.name));
  ctx.report.output("ref-kind", d.kind == RefKind::branch ? "branch" : d.kind == RefKind::tag ? "tag" : "other");
  ctx.report.output("rule", d.rule);
  std::string what;
  switch (d.action) {
    case PipelineAction::build: what = "build profile " + d.profile; break;
    case PipelineAction::update: what = "publish an OTA update on channel " + d.channel; break;
    case PipelineAction::release: what = "build profile " + d.profile + " and submit it to the stores"; break;
    case PipelineAction::none: what = "nothing (no rule matches)"; break;
  }
  if (d.action == PipelineAction::none && !d.rule.empty()) what = "nothing (rule " + d.rule + ")";
  std::string headline = shown(ref, 200) + ": " + what;
  ctx.report.summary("### ota-publish plan\n\n`" + kit::valid_utf8(ref) + "` → " + kit::valid_utf8(what) + "\n");
  return {kit::Exit::ok, headline};
}

}  // namespace ota
