#include "image-promote/commands/moves_report.hpp"

#include <nlohmann/json.hpp>

namespace image_promote::commands {

void report_moves(kit::Context& ctx, const std::string& title, const std::vector<TagMove>& moves) {
  std::vector<std::vector<std::string>> rows;
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& m : moves) {
    rows.push_back({m.target.str(), m.previous.empty() ? "(new tag)" : m.previous, move_state_name(m.state)});
    tags.push_back({{"tag", m.target.str()}, {"previous", m.previous}, {"state", move_state_name(m.state)}});
  }
  ctx.report.result("tags", tags);
  ctx.report.summary("### image-promote " + title + "\n\n" + kit::markdown_table({"tag", "previous digest", "result"}, rows));
}

}  // namespace image_promote::commands
