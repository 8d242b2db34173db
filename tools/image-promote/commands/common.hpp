#pragma once
// What several commands read from their options the same way (the registry session, --jobs, an
// input file) and report the same way (copy figures, a plan for --dry-run, the scan gate).
#include <string>
#include <vector>

#include "image-promote/blob_copy.hpp"
#include "image-promote/trivy.hpp"
#include "kit/runtime.hpp"

namespace image_promote::commands {

// The options shared by every command that talks to a registry, validated (exit 2) before any
// request. `registries`: every registry this command talks to. Credentials given for "the"
// registry (--username, REGISTRY_USERNAME) go to one registry only, never to a second one's
// token service.
struct SessionRequest {
  ClientOptions client;
  CredentialSources credentials;
};
SessionRequest session_request(kit::Context& ctx, const std::vector<std::string>& registries);

int jobs_of(const kit::Args& args);

// A file named by an option (a Trivy report, an ignore file): exit 2 when it is missing, a
// directory or unreadable.
std::string read_input_file(const std::string& path, const std::string& what);

void report_copy_figures(kit::Report& report, const std::string& digest, const std::string& previous,
                         const std::vector<std::string>& platforms, const CopyStats& stats);

// --dry-run: the plan, on stderr, in the summary and as `plan` in --json.
kit::Outcome report_plan(kit::Context& ctx, const std::string& title, const std::vector<std::string>& steps,
                         const std::vector<std::string>& warnings = {});

GatePolicy gate_policy(const kit::Args& args);
// Reports a judged report (summary, annotations, outputs); returns true when it blocks.
bool report_gate(kit::Context& ctx, const std::string& report_path, const GatePolicy& policy, const GateResult& g);

}  // namespace image_promote::commands
