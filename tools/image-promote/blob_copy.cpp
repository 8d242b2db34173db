#include "image-promote/blob_copy.hpp"

#include <curl/curl.h>  // CURL_READFUNC_ABORT, for a streamed upload whose source failed

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "image-promote/parallel.hpp"
#include "kit/error.hpp"
#include "kit/log.hpp"

namespace image_promote {

void CopyStats::add(const CopyStats& o) {
  bytes_uploaded += o.bytes_uploaded;
  blobs_mounted += o.blobs_mounted;
  blobs_uploaded += o.blobs_uploaded;
  blobs_streamed += o.blobs_streamed;
  blobs_present += o.blobs_present;
  manifests_written += o.manifests_written;
  manifests_present += o.manifests_present;
}

namespace {

constexpr std::int64_t kProgressBytes = 32 << 20;

// The tree under a root, read level by level so that the manifests of one level are fetched at
// once (jobs at a time). They are written by height (write_groups), not by level: a registry
// refuses an index whose manifests it does not have.
struct Walk {
  std::vector<std::vector<Manifest>> levels;  // levels[0] = {root}
  std::vector<Descriptor> blobs;               // unique, in first-seen order
  std::set<std::string> seen;
};

Walk walk(RegistrySession& session, const Reference& src, const Manifest& root, int jobs) {
  Walk w;
  w.seen.insert(root.digest);
  w.levels.push_back({root});
  for (size_t depth = 0; depth < w.levels.size(); ++depth) {
    std::vector<Descriptor> children;
    for (const auto& m : w.levels[depth]) {
      if (!m.is_index) {
        for (const auto& b : m.blobs())
          if (w.seen.insert(b.digest).second) w.blobs.push_back(b);
        continue;
      }
      if (depth >= static_cast<size_t>(kMaxIndexDepth))
        throw kit::environment_error("the index " + m.digest + " in " + src.repo_name() + " nests indexes more than " +
                                         std::to_string(kMaxIndexDepth) + " levels deep; nothing was copied",
                                     "an image index this deep is not an image; check what was pushed to " + src.repo_name());
      // No HEAD of a child in the destination first: the root was not there (copy_tree asked),
      // so its children rarely are, and what they need is settled anyway by the mounts (201
      // whether or not the blob was there), the blob HEADs (across registries) and the PUT.
      for (const auto& c : m.children)
        if (w.seen.insert(c.digest).second) children.push_back(c);
    }
    if (children.empty()) break;
    std::vector<Manifest> next(children.size());
    parallel_for(children.size(), jobs, [&](size_t i) {
      auto cm = session.client(src.registry)->get_manifest(src.repository, children[i].digest);
      if (!cm)
        throw kit::environment_error(src.repo_name() + " lists " + children[i].digest + " (" + children[i].platform +
                                         ") in its index but the registry does not have it",
                                     "the source image is incomplete; re-push it, or copy with --platform to skip it");
      next[i] = std::move(*cm);
    });
    w.levels.push_back(std::move(next));
  }
  return w;
}

}  // namespace

std::vector<std::vector<size_t>> write_groups(const std::vector<Manifest>& manifests) {
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < manifests.size(); ++i) index_of.emplace(manifests[i].digest, i);
  // Depth-first with an explicit stack (a hostile tree must not exhaust the thread's stack);
  // content addressing rules out cycles, but a manifest met again while open is not waited for.
  constexpr size_t unknown = static_cast<size_t>(-1), open = static_cast<size_t>(-2);
  std::vector<size_t> height(manifests.size(), unknown);
  struct Frame {
    size_t m, next_child = 0, height = 0;
  };
  for (size_t start = 0; start < manifests.size(); ++start) {
    if (height[start] != unknown) continue;
    // The stack is a path from `start`: `open` means an ancestor.
    std::vector<Frame> stack{{start}};
    height[start] = open;
    while (!stack.empty()) {
      Frame& f = stack.back();
      const auto& children = manifests[f.m].children;
      if (f.next_child == children.size()) {
        const size_t done = f.m;
        height[done] = f.height;
        stack.pop_back();
        if (!stack.empty()) stack.back().height = std::max(stack.back().height, height[done] + 1);
        continue;
      }
      auto it = index_of.find(children[f.next_child++].digest);
      if (it == index_of.end() || height[it->second] == open) continue;
      if (height[it->second] != unknown) {
        f.height = std::max(f.height, height[it->second] + 1);
      } else {
        height[it->second] = open;
        stack.push_back({it->second});  // invalidates f
      }
    }
  }
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < manifests.size(); ++i) {
    if (height[i] >= groups.size()) groups.resize(height[i] + 1);
    groups[height[i]].push_back(i);
  }
  groups.erase(std::remove_if(groups.begin(), groups.end(), [](const auto& g) { return g.empty(); }), groups.end());
  return groups;
}

namespace {

struct BlobResult {
  enum Kind { present, mounted, uploaded, streamed } kind = present;
  std::int64_t bytes = 0;
};

bool is_config_type(const std::string& media_type) {
  return media_type == "application/vnd.oci.image.config.v1+json" ||
         media_type == "application/vnd.docker.container.image.v1+json";
}

// Reads back a small blob that was just downloaded into `f`.
std::string read_back(std::FILE* f, std::int64_t size) {
  std::string bytes(static_cast<size_t>(size), '\0');
  std::rewind(f);
  bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f));
  return bytes;
}

// Blobs at least this large stream registry to registry (download and upload at once, through
// a bounded buffer, nothing on disk); smaller ones (configs among them, kept for `platforms`) and
// any blob whose streamed attempt failed go through a temporary file with the full retry
// schedule.
constexpr std::int64_t kStreamMin = 1 << 20;
constexpr size_t kPipeBytes = 1 << 20;

// A bounded byte pipe between the downloading thread and the uploading one.
class BlobPipe {
 public:
  // Blocks while full; false once the reader is gone.
  bool write(const char* data, size_t n) {
    std::unique_lock lock(mutex_);
    while (n > 0) {
      changed_.wait(lock, [&] { return reader_gone_ || size_ < ring_.size(); });
      if (reader_gone_) return false;
      size_t tail = (head_ + size_) % ring_.size();
      size_t take = std::min({n, ring_.size() - size_, ring_.size() - tail});
      std::memcpy(ring_.data() + tail, data, take);
      bool was_empty = size_ == 0;
      size_ += take;
      data += take;
      n -= take;
      // Only the reader can be waiting, and only on an empty ring: waking it for every chunk
      // cost a futex call and a context switch per 16 KiB.
      if (was_empty) changed_.notify_all();
    }
    return true;
  }
  // Blocks while empty; 0 at the end. When the download failed, the upload is aborted
  // (CURL_READFUNC_ABORT): a short body would leave the registry waiting for the rest of its
  // Content-Length, and us waiting for its answer.
  size_t read(char* out, size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return writer_done_ || size_ > 0; });
    if (size_ == 0 && !writer_ok_) return CURL_READFUNC_ABORT;
    size_t take = std::min({n, size_, ring_.size() - head_});
    std::memcpy(out, ring_.data() + head_, take);
    bool was_full = size_ == ring_.size();
    head_ = (head_ + take) % ring_.size();
    size_ -= take;
    if (was_full) changed_.notify_all();  // only the writer waits, and only on a full ring
    return take;
  }
  void close_writer(bool ok) {
    std::lock_guard lock(mutex_);
    writer_done_ = true;
    writer_ok_ = ok;
    changed_.notify_all();
  }
  void close_reader() {
    std::lock_guard lock(mutex_);
    reader_gone_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<char> ring_ = std::vector<char>(kPipeBytes);
  size_t head_ = 0, size_ = 0;
  bool writer_done_ = false, writer_ok_ = false, reader_gone_ = false;
};

// One streamed attempt: true when the destination has the blob, verified by its registry.
bool stream_blob(RegistrySession& session, RegistryClient& d, const Reference& src, const Reference& dst,
                 const Descriptor& blob) {
  BlobPipe pipe;
  std::exception_ptr download_error;
  std::thread downloader([&] {
    try {
      // The calling thread's own client: this thread is new.
      session.client(src.registry)->download_blob_stream(src.repository, blob,
                                                         [&](const char* p, size_t n) { return pipe.write(p, n); });
    } catch (...) {
      download_error = std::current_exception();
    }
    pipe.close_writer(!download_error);
  });
  std::string upload_error;
  try {
    d.upload_blob_stream(dst.repository, blob, [&](char* buf, size_t n) { return pipe.read(buf, n); });
  } catch (const std::exception& e) {
    upload_error = e.what();
  }
  pipe.close_reader();
  downloader.join();
  if (!download_error && upload_error.empty()) return true;
  std::string why = upload_error;
  if (download_error) try {
      std::rethrow_exception(download_error);
    } catch (const std::exception& e) {
      why = e.what();
    }
  kit::log::debug("streamed copy of " + blob.digest.substr(0, 19) + " failed (" + why + "); copying through a file");
  return false;
}

BlobResult copy_blob(RegistrySession& session, RegistryClient& d, const Reference& src, const Reference& dst,
                     const Descriptor& blob) {
  // Inside one registry a mount answers both questions in one request: 201 when the blob is in
  // the destination afterwards (mounted, or there already), so no HEAD first.
  if (src.registry == dst.registry && d.mount_blob(dst.repository, blob.digest, src.repository))
    return {BlobResult::mounted, 0};
  if (d.blob_exists(dst.repository, blob.digest)) return {BlobResult::present, 0};
  auto start = std::chrono::steady_clock::now();
  auto log_speed = [&] {
    if (blob.size < kProgressBytes) return;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char line[160];
    std::snprintf(line, sizeof line, "copied %s (%.1f MB) in %.1fs, %.1f MB/s", blob.digest.substr(0, 19).c_str(),
                  blob.size / 1e6, secs, secs > 0 ? blob.size / 1e6 / secs : 0.0);
    kit::log::info(line);
  };
  if (blob.size >= kStreamMin && stream_blob(session, d, src, dst, blob)) {
    log_speed();
    return {BlobResult::streamed, blob.size};
  }
  // The source client is taken only now: while a blob streams, the downloading thread holds it
  // (one source connection per job, not two).
  auto s = session.client(src.registry);
  std::FILE* f = open_temp_file(session.options().temp_dirs);
  try {
    s->download_blob(src.repository, blob, f);
    // Downloaded anyway: the platforms output reads it from here instead of a second GET.
    if (is_config_type(blob.media_type) && blob.size <= (1 << 20)) session.keep_config(blob.digest, read_back(f, blob.size));
    d.upload_blob(dst.repository, blob, f);
  } catch (...) {
    std::fclose(f);
    throw;
  }
  std::fclose(f);
  log_speed();
  return {BlobResult::uploaded, blob.size};
}

}  // namespace

CopyStats copy_tree(RegistrySession& session, const Reference& src, const Reference& dst, const Manifest& root,
                    int jobs, bool write_root) {
  CopyStats stats;
  if (session.client(dst.registry)->head_manifest(dst.repository, root.digest)) {
    stats.manifests_present = 1;
    return stats;
  }
  Walk w = walk(session, src, root, jobs);

  std::mutex mutex;
  parallel_for(w.blobs.size(), jobs, [&](size_t i) {
    BlobResult r = copy_blob(session, *session.client(dst.registry), src, dst, w.blobs[i]);
    std::lock_guard lock(mutex);
    if (r.kind == BlobResult::present) ++stats.blobs_present;
    if (r.kind == BlobResult::mounted) ++stats.blobs_mounted;
    if (r.kind == BlobResult::uploaded || r.kind == BlobResult::streamed) ++stats.blobs_uploaded, stats.bytes_uploaded += r.bytes;
    if (r.kind == BlobResult::streamed) ++stats.blobs_streamed;
  });

  // The root is the only manifest of the highest group (everything else is under it).
  std::vector<Manifest> ms;
  for (auto& level : w.levels)
    for (auto& m : level)
      if (write_root || m.digest != root.digest) ms.push_back(std::move(m));
  for (const auto& group : write_groups(ms)) {
    parallel_for(group.size(), jobs, [&](size_t i) {
      const Manifest& m = ms[group[i]];
      session.client(dst.registry)->put_manifest(dst.repository, m.digest, m.media_type, m.body);
    });
    stats.manifests_written += static_cast<int>(group.size());
  }
  return stats;
}

}  // namespace image_promote
