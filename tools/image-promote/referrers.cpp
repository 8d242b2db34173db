#include "image-promote/referrers.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <thread>

#include "kit/error.hpp"
#include "kit/log.hpp"

namespace image_promote {

std::vector<std::string> attachment_tags(const std::string& subject) {
  std::string base = "sha256-" + subject.substr(subject.find(':') + 1);
  return {base + ".sig", base + ".att", base + ".sbom", base};
}

std::vector<Attached> find_attached(RegistrySession& session, const Reference& src, const std::string& subject) {
  std::vector<Attached> out;
  // Both sources, always: a registry with the API can still hold cosign's tags (cosign writes
  // them unless told to use the API), and an empty API answer says nothing about those tags.
  // The API is asked on another thread (and connection) while the tags are looked up here.
  std::optional<std::vector<Descriptor>> api;
  std::exception_ptr api_error;
  std::thread api_thread([&] {
    try {
      api = session.client(src.registry)->referrers(src.repository, subject);
    } catch (...) {
      api_error = std::current_exception();
    }
  });
  struct Join {  // a throw below still waits for the thread, which uses locals of this frame
    std::thread& t;
    ~Join() {
      if (t.joinable()) t.join();
    }
  } join{api_thread};
  auto client = session.client(src.registry);
  RegistryClient& s = *client;
  const std::string& repository = src.repository;
  const auto tags = attachment_tags(subject);
  const std::string& base = tags.back();
  // The four tags sort next to each other (sha256-<hex> < .att < .sbom < .sig), so one page of
  // the tag list from just before them answers for all four: 1 request instead of 4 HEADs.
  // Those listed are read by tag (1 GET each, which the copy needed anyway). A registry whose
  // list cannot be used (error, too large) is asked tag by tag.
  auto listed = s.list_tags_between(repository, base.substr(0, base.size() - 1), base + ".sig");
  for (const auto& tag : tags) {
    if (listed) {
      if (std::find(listed->begin(), listed->end(), tag) == listed->end()) continue;
      if (auto m = s.get_manifest(repository, tag)) out.push_back({m->digest, tag, "", *m});
    } else if (auto d = s.head_manifest(repository, tag)) {
      out.push_back({*d, tag, "", std::nullopt});
    }
  }
  api_thread.join();
  if (api_error) std::rethrow_exception(api_error);
  if (api)
    for (const auto& d : *api) {
      // One found under a tag too is copied once, with its tag.
      bool known = std::any_of(out.begin(), out.end(), [&](const Attached& a) { return a.digest == d.digest; });
      if (!known) out.push_back({d.digest, "", d.artifact_type, std::nullopt});
    }
  return out;
}

int copy_attached(RegistrySession& session, const Reference& src, const Reference& dst, const std::string& subject,
                  int jobs, CopyStats& stats) {
  return copy_found(session, src, dst, find_attached(session, src, subject), jobs, stats);
}

int copy_found(RegistrySession& session, const Reference& src, const Reference& dst, const std::vector<Attached>& found,
               int jobs, CopyStats& stats) {
  auto s = session.client(src.registry);
  auto d = session.client(dst.registry);
  int n = 0;
  for (const auto& a : found) {
    auto m = a.manifest ? a.manifest : s->get_manifest(src.repository, a.digest);
    if (!m) continue;  // deleted between listing and reading
    stats.add(copy_tree(session, src, dst, *m, jobs));
    if (!a.tag.empty()) d->put_manifest(dst.repository, a.tag, m->media_type, m->body);
    kit::log::info("attached artifact " + a.digest + (a.tag.empty() ? " (referrers API)" : " (" + a.tag + ")") + " copied");
    ++n;
  }
  return n;
}

}  // namespace image_promote
