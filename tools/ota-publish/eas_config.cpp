#include "ota-publish/eas_config.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <cctype>
#include <regex>
#include <set>
#include <unordered_map>

#include "kit/secrets.hpp"
#include "kit/text.hpp"
#include "kit/untrusted_json.hpp"
#include "ota-publish/json5.hpp"
#include "ota-publish/untrusted_text.hpp"

namespace ota {
namespace {

using json5::Value;

struct Located {
  std::string value;
  int line = 0;
  bool present = false;
  bool inherited = false;  // written in a profile this one extends
};

// A build profile with `extends` resolved: the values it ends up with and where each was written.
struct Profile {
  std::string name;
  int line = 0;
  Located channel;
  Located environment;
  std::map<std::string, Located> env;
};

const char* kMain[] = {"development", "preview", "production"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string base64url_decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, buffer = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) break;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

bool looks_like_url(std::string_view v) { return v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0 || v.rfind("wss://", 0) == 0; }

// Names of variables whose value must differ between production and the other profiles.
bool url_name(std::string_view name) {
  std::string n = upper(name);
  return n.find("URL") != std::string::npos || n.find("URI") != std::string::npos || n.find("ENDPOINT") != std::string::npos ||
         n.find("HOST") != std::string::npos || n.find("API") != std::string::npos;
}
bool key_name(std::string_view name) {
  std::string n = upper(name);
  return n.find("KEY") != std::string::npos || n.find("TOKEN") != std::string::npos || n.find("MAPBOX") != std::string::npos ||
         n.find("SECRET") != std::string::npos || n.find("DSN") != std::string::npos;
}

// eas-cli resolves `extends` recursively and refuses a chain of more than 5 profiles (the profile
// and 4 it extends, @expo/eas-json resolveProfile: "Too long chain of profile extensions"); a cycle
// ends the same way. Following it no further also keeps hostile files (10,000 profiles each
// extending the next) linear.
constexpr size_t kMaxExtendsChain = 5;

// Each build profile name to its member in `build`: the last one, as JSON.parse keeps it.
using ProfileIndex = std::unordered_map<std::string_view, size_t>;

ProfileIndex index_profiles(const Value& build) {
  ProfileIndex index;
  for (size_t k = 0; k < build.members.size(); ++k) index[build.members[k].first] = k;
  return index;
}

const Value* profile_at(const Value& build, const ProfileIndex& index, std::string_view name) {
  auto it = index.find(name);
  return it == index.end() ? nullptr : &build.members[it->second].second;
}

// Resolves `name` through `extends` into `out`. A problem in the chain is reported once, on the
// profile where it is written (a missing parent) or on each profile eas would refuse (too long, cycle).
void collect_profile(const Value& build, const ProfileIndex& index, const std::string& name, Profile& out,
                     std::vector<ConfigFinding>& findings, const std::string& file) {
  std::vector<std::pair<std::string, const Value*>> chain;  // name first, then what it extends
  std::string at = name;
  while (const Value* p = profile_at(build, index, at)) {
    if (!p->is_object()) break;
    for (const auto& link : chain)
      if (link.first == at) {
        findings.push_back({ConfigRule::bad_extends, FindingLevel::error, file, out.line, 0,
                            "build profile \"" + shown(name, 60) + "\" extends itself through \"" + shown(at, 60) +
                                "\": eas-cli refuses it (Too long chain of profile extensions)"});
        return;
      }
    if (chain.size() == kMaxExtendsChain) {
      findings.push_back({ConfigRule::bad_extends, FindingLevel::error, file, out.line, 0,
                          "build profile \"" + shown(name, 60) + "\" extends a chain of more than " + std::to_string(kMaxExtendsChain) +
                              " profiles: eas-cli refuses it (Too long chain of profile extensions)"});
      return;
    }
    chain.emplace_back(at, p);
    const Value* ext = p->get("extends");
    if (!ext || !ext->is_string()) break;
    if (!profile_at(build, index, ext->text)) {
      // Reported where it is written; the profiles extending this one fail with it.
      if (chain.size() == 1)
        findings.push_back({ConfigRule::bad_extends, FindingLevel::error, file, p->key_line("extends"), 0,
                            "build profile \"" + shown(at, 60) + "\" extends \"" + shown(ext->text, 60) + "\", which does not exist"});
      break;
    }
    at = ext->text;
  }
  // From the farthest ancestor to the profile itself: later values override earlier ones.
  for (size_t k = chain.size(); k-- > 0;) {
    const Value* p = chain[k].second;
    bool inherited = k > 0;
    auto take = [&](const char* key, Located& into) {
      if (const Value* v = p->get(key); v && v->is_string()) into = {v->text, p->key_line(key), true, inherited};
    };
    take("channel", out.channel);
    take("environment", out.environment);
    if (const Value* env = p->get("env"); env && env->is_object())
      for (size_t i = 0; i < env->members.size(); ++i) {
        const auto& [var, v] = env->members[i];
        out.env[var] = {v.text, env->key_lines[i], true, inherited};
      }
  }
}

// Keys written twice in one object: eas-cli (JSON.parse) keeps the last and silently ignores the
// first, which is the one a reviewer reads. Iterative: the parser already bounds the depth.
void find_duplicate_keys(const Value& root, std::vector<ConfigFinding>& findings, const std::string& file) {
  std::vector<const Value*> unvisited{&root};
  while (!unvisited.empty()) {
    const Value* v = unvisited.back();
    unvisited.pop_back();
    if (v->kind == Value::Kind::array)
      for (const auto& item : v->items) unvisited.push_back(&item);
    if (!v->is_object()) continue;
    std::unordered_map<std::string_view, size_t> last;
    for (size_t k = 0; k < v->members.size(); ++k) last[v->members[k].first] = k;
    for (size_t k = 0; k < v->members.size(); ++k) {
      unvisited.push_back(&v->members[k].second);
      if (size_t again = last[v->members[k].first]; again != k) {
        std::string message = std::string(1, '"') + shown(v->members[k].first, 60);  // (GCC 12 -Wrestrict misfires on "x" + string&&)
        message += "\" is written twice in the same object (again on line " + std::to_string(v->key_lines[again]) +
                   "): eas-cli uses the last one and ignores this one";
        findings.push_back({ConfigRule::duplicate_key, FindingLevel::warning, file, v->key_lines[k], 0, std::move(message)});
      }
    }
  }
}

void check_runtime_version(const ConfigFiles& files, std::vector<ConfigFinding>& findings) {
  if (!files.app_config || !files.app_config_path) {
    findings.push_back({ConfigRule::missing_runtime_version, FindingLevel::warning, files.eas_json_path, 0, 0,
                        "no app config (app.json, app.config.js/ts) found: cannot check that a runtimeVersion policy is set"});
    return;
  }
  const std::string& path = *files.app_config_path;
  std::string missing = "no runtimeVersion in " + path +
                        ": an OTA update could reach a build whose native code it does not match; set \"runtimeVersion\": "
                        "{\"policy\": \"fingerprint\"} (or \"appVersion\")";
  bool code = path.size() > 3 && (path.ends_with(".js") || path.ends_with(".ts") || path.ends_with(".mjs") || path.ends_with(".cjs"));
  if (code) {
    // Code cannot be evaluated here: look for the key in the text.
    if (files.app_config->find("runtimeVersion") == std::string::npos)
      findings.push_back({ConfigRule::missing_runtime_version, FindingLevel::error, path, 1, 0, missing + " (read as text: it is code)"});
    return;
  }
  auto parsed = json5::parse(*files.app_config);
  if (!parsed.value) {
    findings.push_back({ConfigRule::malformed, FindingLevel::error, path, parsed.error.line, parsed.error.col,
                        path + " is not valid JSON: " + parsed.error.message});
    return;
  }
  const Value& root = *parsed.value;
  const Value* expo = root.get("expo");
  const Value& app = expo && expo->is_object() ? *expo : root;
  int line = expo ? root.key_line("expo") : 1;
  if (!app.is_object()) return;
  auto policy_ok = [&](const Value* rv, int at) {
    if (!rv) return false;
    if (rv->is_string() && !rv->text.empty()) return true;
    if (rv->is_object()) {
      const Value* policy = rv->get("policy");
      static const std::set<std::string> known = {"appVersion", "nativeVersion", "fingerprint", "sdkVersion"};
      if (policy && policy->is_string() && known.count(policy->text)) return true;
      findings.push_back({ConfigRule::missing_runtime_version, FindingLevel::error, path, at, 0,
                          "runtimeVersion.policy in " + path + " is not one of appVersion, nativeVersion, fingerprint, sdkVersion"});
      return true;  // reported above
    }
    return false;
  };
  // eas-cli 24.8 with a robot access token (what CI uses): "Owner of project identified by
  // extra.eas.projectId must be specified in "owner" field when using a robot access token".
  if (const Value* extra = app.get("extra"); extra && extra->is_object())
    if (const Value* eas = extra->get("eas"); eas && eas->is_object() && eas->get("projectId") && !app.get("owner"))
      findings.push_back({ConfigRule::missing_owner, FindingLevel::warning, path, app.key_line("extra"), 0,
                          path + " names an EAS projectId but no \"owner\": eas refuses such a project with a robot access token "
                                 "(EXPO_TOKEN in CI); add \"owner\": \"<account>\""});
  if (policy_ok(app.get("runtimeVersion"), app.key_line("runtimeVersion"))) return;
  const Value* ios = app.get("ios");
  const Value* android = app.get("android");
  bool ios_ok = ios && ios->is_object() && policy_ok(ios->get("runtimeVersion"), ios->key_line("runtimeVersion"));
  bool android_ok = android && android->is_object() && policy_ok(android->get("runtimeVersion"), android->key_line("runtimeVersion"));
  if (ios_ok && android_ok) return;
  findings.push_back({ConfigRule::missing_runtime_version, FindingLevel::error, path, line, 0, missing});
}

}  // namespace

std::string_view rule_name(ConfigRule r) {
  switch (r) {
    case ConfigRule::malformed: return "malformed";
    case ConfigRule::missing_profile: return "missing-profile";
    case ConfigRule::missing_channel: return "missing-channel";
    case ConfigRule::invalid_channel: return "invalid-channel";
    case ConfigRule::shared_channel: return "shared-channel";
    case ConfigRule::shared_value: return "shared-value";
    case ConfigRule::shared_environment: return "shared-environment";
    case ConfigRule::public_secret: return "public-secret";
    case ConfigRule::committed_secret: return "committed-secret";
    case ConfigRule::missing_runtime_version: return "missing-runtime-version";
    case ConfigRule::bad_extends: return "bad-extends";
    case ConfigRule::missing_owner: return "missing-owner";
    case ConfigRule::duplicate_key: return "duplicate-key";
  }
  return "unknown";
}

std::string secret_kind(std::string_view name, std::string_view value) {
  auto starts = [&](std::string_view p) { return value.rfind(p, 0) == 0; };
  if (starts("sk.ey")) return "a Mapbox secret token (sk.)";
  if (starts("sk_live_") || starts("sk_test_") || starts("rk_live_")) return "a Stripe secret key";
  if (starts("sk-") && value.size() > 20) return "an API secret key (sk-...)";
  if (starts("ghp_") || starts("github_pat_") || starts("gho_")) return "a GitHub token";
  if (starts("xoxb-") || starts("xoxp-")) return "a Slack token";
  if (value.find("-----BEGIN") != std::string_view::npos) return "a private key (PEM)";
  // AKIA + 16 upper-case letters or digits; a database URL carrying user:password@ (hand-written:
  // std::regex recursion grows with the input).
  for (size_t at = value.find("AKIA"); at != std::string_view::npos; at = value.find("AKIA", at + 1)) {
    size_t n = 0;
    while (at + 4 + n < value.size() && n < 16 && (std::isupper(static_cast<unsigned char>(value[at + 4 + n])) || std::isdigit(static_cast<unsigned char>(value[at + 4 + n])))) ++n;
    if (n == 16) return "an AWS access key id";
  }
  for (std::string_view scheme : {"postgres://", "postgresql://", "mysql://", "mongodb://", "mongodb+srv://", "redis://"}) {
    if (!starts(scheme)) continue;
    std::string_view rest = value.substr(scheme.size());
    size_t at = rest.find('@'), colon = rest.find(':'), slash = rest.find('/');
    if (at != std::string_view::npos && colon < at && colon > 0 && (slash == std::string_view::npos || slash > at))
      return "a database URL with a password";
  }
  // A JWT whose payload says role service_role is Supabase's service key: it bypasses row-level security.
  if (starts("eyJ")) {
    size_t a = value.find('.');
    size_t b = a == std::string_view::npos ? a : value.find('.', a + 1);
    if (b != std::string_view::npos) {
      std::string payload = base64url_decode(value.substr(a + 1, b - a - 1));
      auto j = nlohmann::json::parse(payload, nullptr, false);
      if (!j.is_discarded() && j.is_object() && kit::json_string(j, "role") == "service_role")
        return "a Supabase service_role key (it bypasses row-level security)";
    }
  }
  std::string n = upper(name);
  for (const char* word : {"SECRET", "PASSWORD", "PASSWD", "PRIVATE_KEY", "SERVICE_ROLE", "SERVICE_KEY"})
    if (n.find(word) != std::string::npos && !value.empty()) return std::string("a value named like a secret (") + word + ")";
  return {};
}

static std::optional<std::string> given(const Located& l) { return l.present ? std::optional<std::string>(l.value) : std::nullopt; }

std::vector<ConfigFinding> check_config(const ConfigFiles& files, std::vector<ProfileChannel>* channels) {
  std::vector<ConfigFinding> findings;
  const std::string& file = files.eas_json_path;
  auto parsed = json5::parse(files.eas_json);
  if (!parsed.value) {
    findings.push_back({ConfigRule::malformed, FindingLevel::error, file, parsed.error.line, parsed.error.col,
                        file + " is not valid JSON or JSON5 (eas-cli would refuse it): " + parsed.error.message});
    check_runtime_version(files, findings);
    return findings;
  }
  const Value& root = *parsed.value;
  const Value* build = root.is_object() ? root.get("build") : nullptr;
  if (!build || !build->is_object()) {
    findings.push_back({ConfigRule::missing_profile, FindingLevel::error, file, 1, 0, file + " has no \"build\" profiles"});
    check_runtime_version(files, findings);
    return findings;
  }

  static const std::regex channel_re("^[a-z\\d][a-z\\d._-]*$");
  find_duplicate_keys(root, findings, file);
  const ProfileIndex index = index_profiles(*build);
  std::vector<Profile> profiles;
  for (size_t k = 0; k < build->members.size(); ++k) {
    const auto& [name, value] = build->members[k];
    if (!value.is_object() || index.at(name) != k) continue;  // a profile written twice counts once: the last
    Profile p;
    p.name = name;
    p.line = build->key_lines[k];
    collect_profile(*build, index, name, p, findings, file);
    if (channels) channels->push_back({p.name, given(p.channel), given(p.environment)});
    profiles.push_back(std::move(p));
  }
  std::unordered_map<std::string_view, size_t> by_name;
  for (size_t k = 0; k < profiles.size(); ++k) by_name[profiles[k].name] = k;
  auto find = [&](const std::string& name) -> const Profile* {
    auto it = by_name.find(name);
    return it == by_name.end() ? nullptr : &profiles[it->second];
  };

  for (const char* name : kMain) {
    const Profile* p = find(name);
    if (!p) {
      findings.push_back({ConfigRule::missing_profile, FindingLevel::warning, file, build->line, 0,
                          std::string("no \"") + name + "\" build profile: the pipeline builds development, preview and production"});
      continue;
    }
    if (!p->channel.present)
      findings.push_back({ConfigRule::missing_channel, FindingLevel::error, file, p->line, 0,
                          "build profile \"" + p->name + "\" has no channel: its builds cannot be sent OTA updates of their own"});
  }
  for (const auto& p : profiles)
    if (p.channel.present && (p.channel.value.size() > 200 || !std::regex_match(p.channel.value, channel_re)))
      findings.push_back({ConfigRule::invalid_channel, FindingLevel::error, file, p.channel.line, 0,
                          "channel \"" + shown(p.channel.value, 60) + "\" of build profile \"" + shown(p.name, 60) +
                              "\" is not a valid channel name (lower-case letters, digits, '.', '_', '-')"});

  // Production against every other profile; development against preview.
  const Profile* production = find("production");
  // An inherited value is reported on the profile that inherits it: that is where it must change.
  auto where = [](const Profile& p, const Located& v) { return v.inherited ? p.line : v.line; };
  auto via = [](const Located& v) { return std::string(v.inherited ? " (inherited through extends)" : ""); };
  auto compare = [&](const Profile& a, const Profile& b, FindingLevel shared_value_level) {
    // `b` is reported: it is the one that should change (never production).
    if (a.channel.present && b.channel.present && a.channel.value == b.channel.value)
      findings.push_back({ConfigRule::shared_channel, FindingLevel::error, file, where(b, b.channel), 0,
                          "build profile \"" + shown(b.name, 60) + "\" uses channel \"" + shown(b.channel.value, 60) + "\" of \"" + a.name +
                              "\"" + via(b.channel) + ": an update published for one reaches the other's builds"});
    if (a.environment.present && b.environment.present && a.environment.value == b.environment.value && a.name == "production")
      findings.push_back({ConfigRule::shared_environment, FindingLevel::error, file, where(b, b.environment), 0,
                          "build profile \"" + shown(b.name, 60) + "\" uses EAS environment \"" + shown(b.environment.value, 60) +
                              "\" of production: it gets production's server-side variables"});
    for (const auto& [var, bv] : b.env) {
      auto it = a.env.find(var);
      if (it == a.env.end() || it->second.value != bv.value || bv.value.empty()) continue;
      bool url = url_name(var) && looks_like_url(bv.value);
      bool key = key_name(var);
      if (!url && !key) continue;
      // A secret is reported once where it is written (public-secret / committed-secret): moving it
      // to an EAS secret fixes it for every profile, and a build-time token may rightly be shared.
      if (!secret_kind(var, bv.value).empty()) continue;
      std::string what = url ? "API URL " + var + "=" + shown(kit::redact_url(bv.value), 120) : "key " + var + " (same value)";
      findings.push_back({ConfigRule::shared_value, shared_value_level, file, where(b, bv), 0,
                          "build profile \"" + shown(b.name, 60) + "\" shares the " + what + " with \"" + a.name + "\"" + via(bv) +
                              ": each profile needs its own"});
    }
  };
  if (production)
    for (const auto& p : profiles)
      if (p.name != "production") compare(*production, p, FindingLevel::error);
  if (const Profile* dev = find("development"); dev)
    if (const Profile* preview = find("preview"); preview) compare(*dev, *preview, FindingLevel::warning);

  // Secrets: in EXPO_PUBLIC_* they are compiled into the bundle anyone can download; elsewhere in
  // eas.json they are committed to the repository. Only the kind is named, never the value.
  // Walk the profiles as written (not resolved), so each value is reported once where it is.
  for (const auto& [name, value] : build->members) {
    if (!value.is_object()) continue;
    const Value* env = value.get("env");
    if (!env || !env->is_object()) continue;
    for (size_t k = 0; k < env->members.size(); ++k) {
      const auto& [var, v] = env->members[k];
      if (!v.is_string()) continue;
      std::string kind = secret_kind(var, v.text);
      if (kind.empty()) continue;
      bool is_public = var.rfind("EXPO_PUBLIC_", 0) == 0;
      findings.push_back({is_public ? ConfigRule::public_secret : ConfigRule::committed_secret, FindingLevel::error, file,
                          env->key_lines[k], 0,
                          is_public ? shown(var, 80) + " in build profile \"" + shown(name, 60) + "\" holds " + kind +
                                          ": EXPO_PUBLIC_ variables ship inside the app bundle; keep it on the server"
                                    : shown(var, 80) + " in build profile \"" + shown(name, 60) + "\" holds " + kind +
                                          " committed in eas.json; use an EAS secret environment variable instead"});
    }
  }
  check_runtime_version(files, findings);
  // eas.json's findings first, each file's by line.
  std::stable_sort(findings.begin(), findings.end(), [&](const auto& a, const auto& b) {
    bool ae = a.file != file, be = b.file != file;
    return ae != be ? be : a.line < b.line;
  });
  return findings;
}

}  // namespace ota
