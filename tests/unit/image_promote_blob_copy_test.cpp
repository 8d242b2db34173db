// copy_tree's worker threads against two real registries (Debian's docker-registry on
// 127.0.0.1): many blobs, --jobs 8, each through a temporary file. Run under ThreadSanitizer by
// scripts/test.sh, this is where a race between the workers (shared session, counters, kept
// configs, the token cache) shows.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "image-promote/blob_copy.hpp"
#include "image-promote/digest.hpp"
#include "kit/http.hpp"

extern char** environ;

using namespace image_promote;

namespace {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

// One docker-registry, stopped and removed with the object.
struct LocalRegistry {
  std::filesystem::path dir;
  int port = 0;
  pid_t pid = -1;

  LocalRegistry() {
    dir = std::filesystem::temp_directory_path() / ("ip-unit-registry-" + std::to_string(getpid()) + "-" + std::to_string(free_port()));
    std::filesystem::create_directories(dir);
    port = free_port();
    std::ofstream(dir / "config.yml") << R"({"version": 0.1, "log": {"level": "error", "accesslog": {"disabled": true}},
      "storage": {"filesystem": {"rootdirectory": ")" << (dir / "data").string() << R"("}},
      "http": {"addr": "127.0.0.1:)" << port << R"("}})";
    std::string config = (dir / "config.yml").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    char* argv[] = {const_cast<char*>("docker-registry"), const_cast<char*>("serve"), config.data(), nullptr};
    if (posix_spawnp(&pid, "docker-registry", &actions, nullptr, argv, environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~LocalRegistry() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port); }
  bool ready() const {
    kit::HttpClient http;
    for (int i = 0; i < 200 && pid > 0; ++i) {  // 10 s at most
      kit::HttpRequest req;
      req.url = "http://" + host() + "/v2/";
      req.total_timeout = kit::Millis{1000};
      if (http.send(req).status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
};

}  // namespace

TEST_CASE("image-promote blob copy: 24 blobs with 8 workers between two registries") {
  LocalRegistry a, b;
  REQUIRE_MESSAGE(a.ready(), "docker-registry did not start (scripts/setup.sh installs it)");
  REQUIRE(b.ready());
  ClientOptions options;
  options.insecure_registries = {a.host(), b.host()};
  options.retry.max_attempts = 2;
  RegistrySession session(options, CredentialSources{});
  Reference src = parse_reference(a.host() + "/team/app:v1");
  Reference dst = parse_reference(b.host() + "/copy/app:v1");
  session.need(src.registry, src.repository, true);
  session.need(dst.registry, dst.repository, true);

  // An image of 23 layers (random bytes: 3 of 1.5 MB, streamed registry to registry; 20 of
  // 1-200 KB, through temporary files) and a config, pushed with our own client.
  auto client = session.client(src.registry);
  std::mt19937 rng(20261128);
  std::string layers;
  for (int i = 0; i < 23; ++i) {
    std::string data(i < 3 ? 1'500'000 + i : 1000 + rng() % 200'000, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    std::string d = sha256_digest(data);
    client->upload_bytes(src.repository, d, data);
    layers += std::string(i ? "," : "") + R"({"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" + d +
              R"(","size":)" + std::to_string(data.size()) + "}";
  }
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  client->upload_bytes(src.repository, sha256_digest(config), config);
  std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                     sha256_digest(config) + R"(","size":)" + std::to_string(config.size()) + R"(},"layers":[)" + layers + "]}";
  client->put_manifest(src.repository, "v1", media::oci_manifest, body);
  Manifest image = parse_manifest(body, media::oci_manifest);

  CopyStats stats = copy_tree(session, src, dst, image, 8);
  CHECK(stats.blobs_uploaded == 24);
  CHECK(stats.blobs_streamed == 3);
  CHECK(stats.manifests_written == 1);
  CHECK(session.kept_config(sha256_digest(config)).value_or("") == config);
  auto d = session.client(dst.registry);
  CHECK(d->head_manifest(dst.repository, image.digest) == image.digest);
  CHECK(d->blob_exists(dst.repository, image.layers.back().digest));
  // Everything is there now: the second copy is one HEAD.
  CopyStats again = copy_tree(session, src, dst, image, 8);
  CHECK(again.manifests_present == 1);
  CHECK(again.blobs_uploaded == 0);
  // Pooled connections over both copies: at most one per registry and job, plus one per streamed
  // blob's downloader thread while it runs (3 here), whichever threads they run on. A client per
  // thread made 8 + 8 + 3 in each copy. (A bound of 16 failed under load, when the three
  // downloaders overlapped a worker still holding its client of the source.)
  CHECK(session.clients_created() <= 8 * 2 + 3);
}

TEST_CASE("image-promote session: clients are pooled across steps and threads") {
  RegistrySession session(ClientOptions{}, CredentialSources{});
  const std::string r = "registry.example:5000";
  auto a = session.client(r);
  CHECK(session.client(r) == a);  // a thread holding one gets the same one
  RegistryClient* first = a.get();
  a.reset();  // given back, with its connection
  RegistryClient* other_thread = nullptr;
  std::thread([&] { other_thread = session.client(r).get(); }).join();
  CHECK(other_thread == first);  // reused by another thread
  CHECK(session.clients_created() == 1);
  auto held = session.client(r);
  std::shared_ptr<RegistryClient> concurrent;
  std::thread([&] { concurrent = session.client(r); }).join();
  CHECK(concurrent != held);  // two in flight at once: two connections
  CHECK(session.clients_created() == 2);
  concurrent.reset();
  held.reset();
  // New scopes: the idle clients asked for the old ones and are not reused.
  session.need(r, "team/app", true);
  auto fresh = session.client(r);
  CHECK(session.clients_created() == 3);
}
