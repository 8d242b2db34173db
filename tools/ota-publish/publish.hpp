#pragma once
// Publishing an update: `eas update --channel C ... --non-interactive --json`, read defensively.
#include <string>
#include <vector>

#include "ota-publish/eas_call.hpp"
#include "ota-publish/eas_runner.hpp"
#include "ota-publish/eas_types.hpp"

namespace ota {

struct PublishResult {
  std::vector<Update> updates;      // one per platform (and per runtime version)
  std::vector<std::string> groups;  // distinct group ids, in eas's order (one per runtime version)
  bool eas_failed_after_publishing = false;  // eas printed the updates but exited non-zero
};

// Throws kit::Error: exit 3 when eas failed without publishing, exit 4 when it may have published
// but did not say what.
PublishResult publish(const EasRunner& runner, const PublishArgs& args);

// The default update message in CI: "<commit subject> (<short sha>)" from GITHUB_SHA and the event
// payload (push: head_commit.message; pull_request: the PR title). Empty when neither is known.
std::string default_message(const std::string& sha, const std::string& event_json);

// Links for a published group, as expo-github-action's `preview` gives them (needs the EAS project id).
std::string update_page_url(const std::string& project_id, const std::string& group);
std::string qr_code_url(const std::string& project_id, const std::string& group);

}  // namespace ota
