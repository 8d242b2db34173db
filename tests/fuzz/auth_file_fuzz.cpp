// docker config.json / containers auth.json, read for registry credentials. The input is written to
// a file (the library reads files); credential helpers it names cannot run (PATH is empty), which
// must be an environment error, never a crash. Invariant: only kit::Error escapes.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include <fstream>

#include "fuzz_support.hpp"
#include "image-promote/auth.hpp"
#include "kit/error.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("PATH", "/nonexistent-yonima-fuzz", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/yonima-fuzz-auth-" + std::to_string(getpid()) + "/config.json";
  static bool made = [] {
    std::string dir = path.substr(0, path.rfind('/'));
    bool ok = mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST;
    std::atexit([] {
      std::remove(path.c_str());
      std::remove(path.substr(0, path.rfind('/')).c_str());
    });
    return ok;
  }();
  FUZZ_CHECK(made, "temporary directory");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  image_promote::CredentialSources sources;
  sources.auth_files = {path};
  for (const char* registry : {"docker.io", "ghcr.io", "127.0.0.1:5000"}) {
    try {
      auto c = image_promote::lookup_credential(sources, registry);
      if (!c.empty()) FUZZ_CHECK(!c.source.empty(), "a credential says where it came from");
    } catch (const kit::Error& e) {
      FUZZ_CHECK(e.code() == kit::Exit::usage || e.code() == kit::Exit::environment, "usage or environment error");
    }
  }
  return 0;
}
