// `history REPO --tag T`: the promotions of a tag, newest first.
#include <iostream>
#include <nlohmann/json.hpp>

#include "image-promote/commands/commands.hpp"
#include "image-promote/commands/common.hpp"
#include "image-promote/history.hpp"
#include "kit/error.hpp"

namespace image_promote::commands {
namespace {

// History entries are registry data: control characters (a newline followed by `::error::`,
// which the Actions runner would execute, ESC, NUL) are shown as `?` on the terminal listing.
std::string printable(const std::string& s) {
  std::string out = s;
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

}  // namespace

kit::Outcome history(kit::Context& ctx) {
  Reference repo = parse_repository(ctx.args.str("repository"));
  std::string tag = ctx.args.str("tag");
  if (!valid_tag(tag)) throw kit::usage_error("--tag: '" + tag + "' is not a valid tag");
  long long limit = ctx.args.integer("limit", 1, 100000);
  auto s = session_request(ctx, {repo.registry});
  RegistrySession session(s.client, s.credentials);
  session.need(repo.registry, repo.repository, false);
  History h = read_history(*session.client(repo.registry), repo.repository, tag);
  if (!h.unreadable.empty())
    throw kit::environment_error(h.unreadable, "`promote` and `rollback --to DIGEST` start a new history over it (the old "
                                               "one stays in the registry by its digest)");
  std::vector<std::vector<std::string>> rows;
  nlohmann::json entries = nlohmann::json::array();
  for (size_t i = 0; i < h.entries.size() && static_cast<long long>(i) < limit; ++i) {
    const auto& e = h.entries[i];
    rows.push_back({e.time, e.action, e.digest, e.previous.empty() ? "(new tag)" : e.previous, e.source, e.run_url});
    entries.push_back({{"time", e.time}, {"action", e.action}, {"digest", e.digest}, {"previous", e.previous},
                       {"source", e.source}, {"run_url", e.run_url}, {"actor", e.actor}});
    if (!ctx.report.json_mode())
      std::cout << printable(e.time) << "  " << printable(e.action) << "  " << printable(e.digest) << "  (was "
                << (e.previous.empty() ? "none" : printable(e.previous)) << ")  " << printable(e.source)
                << (e.run_url.empty() ? "" : "  " + printable(e.run_url)) << "\n";
  }
  ctx.report.result("entries", entries);
  ctx.report.output("digest", h.entries.empty() ? "" : h.entries.front().digest);
  ctx.report.summary("### image-promote history: " + repo.str() + ":" + tag + "\n\n" +
                     (rows.empty() ? std::string("No promotions recorded.\n")
                                   : kit::markdown_table({"time", "action", "digest", "previous", "source", "run"}, rows)));
  return {kit::Exit::ok, std::to_string(h.entries.size()) + " promotion(s) recorded for " + repo.str() + ":" + tag, ""};
}

}  // namespace image_promote::commands
