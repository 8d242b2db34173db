// `gate`: judge a Trivy JSON report; exit 1 while findings at or above the threshold remain.
#include "image-promote/commands/commands.hpp"
#include "image-promote/commands/common.hpp"

namespace image_promote::commands {

kit::Outcome gate(kit::Context& ctx) {
  std::string path = ctx.args.str("trivy-report");
  GatePolicy policy = gate_policy(ctx.args);
  if (report_gate(ctx, path, policy, evaluate_report(read_input_file(path, "Trivy report"), policy)))
    return {kit::Exit::negative, "scan gate: findings at or above " + std::string(severity_name(policy.threshold)) + " remain",
            "fix or upgrade the listed packages, or list accepted risks in a .trivyignore with an exp: date"};
  return {kit::Exit::ok, "scan gate passed (nothing at or above " + std::string(severity_name(policy.threshold)) + ")", ""};
}

}  // namespace image_promote::commands
