// The umbrella binary of the umbrella image (ghcr.io/yonima/yonima-deploy, run by the root
// action.yml): every tool in one static executable, so the image carries one copy of glibc,
// OpenSSL, libcurl and libpq instead of five (docs/images.md). It is packaging only: each tool
// runs exactly as its own binary does.
//
// The tool is named by the program's name (a link called health-gate), else by the first argument
// (`docker run IMAGE health-gate --url ...`), else, with no argument at all, by INPUT_TOOL as the
// root action.yml passes it.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "health-gate/health_gate.hpp"
#include "image-promote/image_promote.hpp"
#include "kit/env.hpp"
#include "kit/runtime.hpp"
#include "kit/text.hpp"
#include "kit/workflow_command.hpp"
#include "migrate-guard/migrate_guard.hpp"
#include "ota-publish/ota_publish.hpp"
#include "pitr-restore/pitr_restore.hpp"

namespace {

struct Tool {
  std::string_view name;
  const kit::ToolSpec& (*spec)();
};

// Every folder under tools/ that calls yonima_tool(); tests/integration/actions/test_release.py
// runs each of them through this binary.
constexpr Tool kTools[] = {
    {"health-gate", health_gate::spec}, {"image-promote", image_promote::spec}, {"migrate-guard", migrate_guard::spec},
    {"ota-publish", ota::spec},         {"pitr-restore", pitr_restore::spec},
};

const Tool* find(std::string_view name) {
  for (const auto& t : kTools)
    if (t.name == name) return &t;
  return nullptr;
}

std::string names() {
  std::string s;
  for (const auto& t : kTools) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

// "'helth-gate' is not a tool: did you mean health-gate? (health-gate, ...)"
std::string not_a_tool(const std::string& what, const std::string& name) {
  std::vector<std::string> all;
  for (const auto& t : kTools) all.emplace_back(t.name);
  auto near = kit::closest_match(name, all);
  return what + "'" + kit::truncate_text(name, 64) + "' is not a tool" + (near ? ": did you mean " + *near + "?" : "") + " (" +
         names() + ")";
}


int usage(const kit::Env& env, const std::string& message) {
  std::string line = "yonima-deploy: " + message;
  if (env.in_github_actions()) std::cerr << kit::format_annotation(kit::Severity::error, line, {}) << "\n";
  else std::cerr << kit::escape_line(line) << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  kit::Env env;
  std::vector<std::string> args(argv, argv + argc);
  std::string program = args.empty() ? "" : args[0];
  program = program.substr(program.rfind('/') + 1);
  if (const Tool* t = find(program)) return kit::run_tool(t->spec(), args, env);

  if (args.size() > 1) {
    const std::string& name = args[1];
    if (name == "--help" || name == "-h" || name == "help") {
      std::cout << "yonima-deploy " << kit::version_string() << ": every yonima-deploy tool in one binary.\n"
                << "Usage: yonima-deploy TOOL [options]   (or INPUT_TOOL=TOOL with no argument; or a link named TOOL)\n"
                << "Tools: " << names() << "\n"
                << "Each tool's own help: yonima-deploy TOOL --help\n";
      return 0;
    }
    if (name == "--version") {
      std::cout << "yonima-deploy " << kit::version_string() << std::endl;
      return 0;
    }
    const Tool* t = find(name);
    if (!t) return usage(env, not_a_tool("", name));
    return kit::run_tool(t->spec(), std::vector<std::string>(args.begin() + 1, args.end()), env);
  }

  std::string name = kit::trim(env.get_or("INPUT_TOOL", ""));
  if (name.empty())
    return usage(env, "name the tool: `yonima-deploy TOOL [options]`, or the action input `tool` (" + names() + ")");
  const Tool* t = find(name);
  if (!t) return usage(env, not_a_tool("the input tool ", name));
  return kit::run_tool(t->spec(), std::vector<std::string>{name}, env);
}
