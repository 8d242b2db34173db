#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "image-promote/history.hpp"
#include "image-promote/manifest.hpp"
#include "image-promote/referrers.hpp"
#include "kit/error.hpp"

using namespace image_promote;

TEST_CASE("image-promote history: round trip and manifest shape") {
  History h;
  h.tag = "production";
  h.entries.push_back({"sha256:" + std::string(64, 'b'), "sha256:" + std::string(64, 'a'), "2026-01-02T03:04:05Z",
                       "promote", "ghcr.io/x/y@sha256:bbb", "https://github.com/o/r/actions/runs/1", "octo"});
  auto back = history_from_json(history_to_json(h));
  REQUIRE(back.entries.size() == 1);
  CHECK(back.entries[0].previous == h.entries[0].previous);
  CHECK(back.entries[0].run_url == h.entries[0].run_url);

  auto hm = history_manifest(h);
  auto m = parse_manifest(hm.body, "");
  CHECK(m.media_type == media::oci_manifest);
  CHECK(m.artifact_type == kHistoryMediaType);
  REQUIRE(m.config);
  CHECK(m.config->media_type == media::oci_empty);
  // The entries live in the manifest itself: a move reads and writes one manifest, no blob.
  REQUIRE(m.annotations.count(kHistoryAnnotation));
  CHECK(history_from_json(m.annotations.at(kHistoryAnnotation)).entries[0].run_url == h.entries[0].run_url);
  CHECK(history_tag("production") == "_yonima-history-production");
  CHECK_THROWS_AS(history_tag(std::string(120, 'a')), kit::Error);
  CHECK_THROWS_AS(history_from_json("{\"schemaVersion\": 9}"), kit::Error);
}

TEST_CASE("image-promote history: run URL from GITHUB_*") {
  kit::Env env(std::map<std::string, std::string>{
      {"GITHUB_SERVER_URL", "https://github.com"}, {"GITHUB_REPOSITORY", "yonima/app"}, {"GITHUB_RUN_ID", "42"}});
  CHECK(run_url(env) == "https://github.com/yonima/app/actions/runs/42");
  CHECK(run_url(kit::Env(std::map<std::string, std::string>{})).empty());
}

TEST_CASE("image-promote manifest: index platforms, filter, digest of exact bytes") {
  std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" + std::string(64, '1') +
                     R"(","size":10,"platform":{"os":"linux","architecture":"amd64"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" + std::string(64, '2') +
                     R"(","size":10,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]})";
  auto m = parse_manifest(body, "");
  CHECK(m.is_index);
  REQUIRE(m.children.size() == 2);
  CHECK(m.children[1].platform == "linux/arm64/v8");
  auto filtered = parse_manifest(filter_index(m, {"linux/amd64"}), "");
  CHECK(filtered.children.size() == 1);
  CHECK(filtered.digest != m.digest);
  CHECK_THROWS_AS(parse_manifest("<html>", "text/html"), kit::Error);
  CHECK_THROWS_AS(parse_manifest(R"({"schemaVersion":1,"fsLayers":[]})", ""), kit::Error);
  CHECK(attachment_tags("sha256:abc")[0] == "sha256-abc.sig");
  CHECK(media::accept_header().find(media::docker_list) != std::string::npos);
}

#include "image-promote/registry_client.hpp"

TEST_CASE("image-promote registry client: upload Location may be relative or absolute") {
  CHECK(resolve_location("http://127.0.0.1:5000", "/v2/a/blobs/uploads/x?_state=1") ==
        "http://127.0.0.1:5000/v2/a/blobs/uploads/x?_state=1");
  CHECK(resolve_location("https://r.example", "https://cdn.example/up/1") == "https://cdn.example/up/1");
}

TEST_CASE("image-promote registry client: Link rel=next for paginated lists") {
  CHECK(next_page_url(R"(</v2/a/referrers/sha256:1?page=2>; rel="next")") == "/v2/a/referrers/sha256:1?page=2");
  CHECK(next_page_url(R"(<https://r.example/prev>; rel="prev", <https://r.example/n?x=1,2>;rel=next)") ==
        "https://r.example/n?x=1,2");
  CHECK(next_page_url(R"(</v2/a/tags/list?last=b>; rel="prev")") == "");
  CHECK(next_page_url("") == "");
}

TEST_CASE("image-promote manifest: platforms compare as docker and containerd normalise them") {
  CHECK(normalize_platform("linux/arm64") == "linux/arm64/v8");
  CHECK(normalize_platform("linux/aarch64") == "linux/arm64/v8");
  CHECK(normalize_platform("linux/arm") == "linux/arm/v7");
  CHECK(normalize_platform("linux/armhf") == "linux/arm/v7");
  CHECK(normalize_platform("linux/armel") == "linux/arm/v6");
  CHECK(normalize_platform("linux/x86_64") == "linux/amd64");
  CHECK(normalize_platform("Linux/AMD64/v1") == "linux/amd64");
  CHECK(normalize_platform("linux/i386") == "linux/386");
  CHECK(normalize_platform("linux/riscv64") == "linux/riscv64");
  CHECK(platform_matches("linux/arm64", "linux/arm64/v8"));
  CHECK(platform_matches("linux/arm64/v8", "linux/arm64"));  // an entry without variant is the default
  CHECK(platform_matches("linux/arm", "linux/arm/v7"));
  CHECK_FALSE(platform_matches("linux/arm", "linux/arm/v6"));
  CHECK_FALSE(platform_matches("linux/arm64", "linux/arm64/v9"));
  CHECK_FALSE(platform_matches("linux/amd64", "linux/arm64/v8"));
  CHECK_FALSE(platform_matches("linux/amd64", "windows/amd64"));

  std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" + std::string(64, '1') +
                     R"(","size":10,"platform":{"os":"linux","architecture":"arm","variant":"v6"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" + std::string(64, '2') +
                     R"(","size":10,"platform":{"os":"linux","architecture":"arm","variant":"v7"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" + std::string(64, '3') +
                     R"(","size":10,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]})";
  auto m = parse_manifest(body, "");
  auto kept = parse_manifest(filter_index(m, {"linux/arm64", "linux/arm"}), "");
  REQUIRE(kept.children.size() == 2);
  CHECK(kept.children[0].platform == "linux/arm/v7");
  CHECK(kept.children[1].platform == "linux/arm64/v8");
}
