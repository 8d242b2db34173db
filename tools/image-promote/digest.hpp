#pragma once
// SHA-256 content digests (OpenSSL) and base64, the two encodings the registry protocol uses.
#include <memory>
#include <string>
#include <string_view>

namespace image_promote {

// Incremental SHA-256 so blobs are verified as they stream, never held whole in memory.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t size);
  std::string digest();  // "sha256:<hex>"; finishes the hash
  void reset();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string sha256_digest(std::string_view data);  // "sha256:<hex>"
std::string base64_encode(std::string_view data);
std::string base64_decode(std::string_view data);  // throws kit::Error(usage) when malformed
std::string base64url_encode(std::string_view data);  // JWT-style, no padding

}  // namespace image_promote
