#include "ota-publish/publish.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kit/log.hpp"
#include "kit/text.hpp"
#include "ota-publish/eas_output.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace ota {

PublishResult publish(const EasRunner& runner, const PublishArgs& args) {
  EasCall call = publish_call(args);
  EasRun run = runner(call);
  auto read = read_updates(run.result.out);
  if (!read) {
    std::string check = "check with `eas update:list --branch <the channel's branch> --json` whether the update was published";
    // Publishing again blindly after a timeout could publish the update twice.
    if (run.result.timed_out)
      throw eas_failure(run, "before publishing again, look at what channel " + args.channel + " serves (`eas channel:view " + args.channel +
                                 " --json`: its branch's newest update) so the update is not published twice; a slow bundle or "
                                 "upload needs a longer --timeout");
    if (!run.succeeded()) throw eas_failure(run, "fix the cause shown above and publish again; " + check);
    throw kit::partial_error("eas update exited 0 but " + read.problem + ": the update was probably published, but its ids are unknown",
                             check);
  }
  PublishResult result;
  result.updates = std::move(*read.value);
  for (const auto& u : result.updates)
    if (std::find(result.groups.begin(), result.groups.end(), u.group) == result.groups.end()) result.groups.push_back(u.group);
  result.eas_failed_after_publishing = !run.succeeded();
  if (result.eas_failed_after_publishing)
    kit::log::warn("eas update printed the published updates but then failed (" + kit::how_it_ended(run.result) +
                   "): the update is published");
  return result;
}

std::string default_message(const std::string& sha, const std::string& event_json) {
  std::string subject;
  if (!event_json.empty()) {
    auto event = nlohmann::json::parse(event_json, nullptr, false);
    if (!event.is_discarded() && event.is_object()) {
      auto text_at = [&](const char* a, const char* b) -> std::string {
        auto it = event.find(a);
        if (it == event.end() || !it->is_object()) return {};
        auto jt = it->find(b);
        return jt != it->end() && jt->is_string() ? jt->get<std::string>() : std::string();
      };
      subject = text_at("head_commit", "message");
      if (subject.empty()) subject = text_at("pull_request", "title");
    }
  }
  subject = kit::valid_utf8(subject.substr(0, subject.find('\n')));
  if (!subject.empty() && subject.back() == '\r') subject.pop_back();
  if (subject.size() > 200) subject = kit::valid_utf8(subject.substr(0, 200));
  std::string short_sha = sha.substr(0, 7);
  if (subject.empty()) return short_sha.empty() ? "" : "commit " + short_sha;
  return short_sha.empty() ? subject : subject + " (" + short_sha + ")";
}

std::string update_page_url(const std::string& project_id, const std::string& group) {
  return "https://expo.dev/projects/" + kit::url_escape(project_id) + "/updates/" + kit::url_escape(group);
}

std::string qr_code_url(const std::string& project_id, const std::string& group) {
  return "https://qr.expo.dev/eas-update?slug=exp&projectId=" + kit::url_escape(project_id) + "&groupId=" + kit::url_escape(group);
}

}  // namespace ota
