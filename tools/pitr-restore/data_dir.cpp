#include "pitr-restore/data_dir.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "kit/error.hpp"
#include "kit/process.hpp"
#include "kit/secrets.hpp"

namespace pitr_restore {
namespace fs = std::filesystem;

namespace {
// /etc/passwd read by hand: getpwuid() in a static binary would need glibc's NSS modules at run time.
std::string user_name(uid_t uid) {
  std::ifstream in("/etc/passwd");
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    auto c = b == std::string::npos ? b : line.find(':', b + 1);
    if (c == std::string::npos) continue;
    try {
      if (std::stoul(line.substr(b + 1, c - b - 1)) == uid) return line.substr(0, a);
    } catch (...) {
    }
  }
  return "";
}
}  // namespace

Owner owner_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw kit::environment_error("cannot read " + path + ": " + std::strerror(errno), "check the path and that this user may read it");
  return {st.st_uid, st.st_gid, user_name(st.st_uid)};
}

std::vector<std::string> as_owner(const Owner& owner, std::vector<std::string> argv) {
  uid_t me = ::geteuid();
  if (me == owner.uid) return argv;
  if (me != 0)
    throw kit::environment_error("the data directory belongs to uid " + std::to_string(owner.uid) +
                                     (owner.name.empty() ? "" : " (" + owner.name + ")") + ", and this process is uid " + std::to_string(me),
                                 "run pitr-restore as the data directory's owner or as root");
  if (owner.name.empty())
    throw kit::environment_error("the data directory's owner (uid " + std::to_string(owner.uid) + ") has no name in /etc/passwd",
                                 "run pitr-restore as that user");
  std::vector<std::string> wrapped = {"runuser", "-u", owner.name, "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

std::string aside_path(const std::string& pgdata, const std::string& stamp) {
  std::string base = pgdata;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + ".pitr-restore-" + stamp;
}

void run_checked(const std::vector<std::string>& argv, const std::string& what, kit::Millis timeout, int category) {
  kit::ProcessSpec spec;
  spec.argv = argv;
  spec.timeout = timeout;
  auto r = kit::run_process(spec);
  if (r.started && !r.timed_out && r.exit_code == 0) return;
  std::string why = !r.started ? "could not start " + argv.front() + ": " + r.error
                    : r.timed_out ? "did not finish within " + kit::format_duration(timeout)
                                  : kit::how_it_ended(r);
  std::string err = kit::secrets().redact(r.err);  // before the cut: a cut token is not recognised
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  if (err.size() > 500) {
    size_t from = err.size() - 500;  // the tail, from a character's first byte
    while (from < err.size() && (static_cast<unsigned char>(err[from]) & 0xC0) == 0x80) ++from;
    err = "..." + err.substr(from);
  }
  for (auto& c : err)
    if (c == '\n') c = ' ';
  throw kit::Error(static_cast<kit::Exit>(category), what + " failed: " + why + (err.empty() ? "" : ": " + err));
}

void copy_as_owner(const Owner& owner, const std::string& from, const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0)
    throw kit::partial_error("cannot create " + dir + ": " + std::strerror(errno));
  if (::geteuid() == 0 && ::chown(dir.c_str(), owner.uid, owner.gid) != 0)
    throw kit::partial_error("cannot give " + dir + " to its owner: " + std::strerror(errno));
  // cp -a keeps modes and times; --reflink=auto shares blocks where the file system can. cp is
  // the floor the benchmark measures against, and it reports a full disk in its own words.
  run_checked(as_owner(owner, {"cp", "-a", "--reflink=auto", "--", from + "/.", dir + "/"}), "copying the base backup into " + dir,
              kit::Millis(6 * 3600 * 1000), static_cast<int>(kit::Exit::partial));
}

unsigned long long tree_bytes(const std::string& dir) {
  unsigned long long total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2)) total += it->file_size(e2);
  }
  return total;
}

unsigned long long free_bytes(const std::string& path) {
  struct statvfs s {};
  if (::statvfs(path.c_str(), &s) != 0) return 0;
  return static_cast<unsigned long long>(s.f_bavail) * s.f_frsize;
}

std::string compact_stamp(long long unix_seconds) {
  std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace pitr_restore
