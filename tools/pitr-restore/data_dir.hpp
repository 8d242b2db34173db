#pragma once
// The data directory as files: who owns it, moving it aside (never deleting), and putting a base
// backup in its place. Every file operation runs as the directory's owner, even when the tool
// runs as root (files copied by root would end up root's, and PostgreSQL would refuse them).
#include <string>
#include <sys/types.h>
#include <vector>

#include "kit/duration.hpp"

namespace pitr_restore {

struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;  // from /etc/passwd; "" if unknown
};

// Throws kit::Error(environment) when `path` cannot be read.
Owner owner_of(const std::string& path);

// argv run as `owner`: unchanged when we already are that user, `runuser -u NAME --` when we are
// root. Throws kit::Error(environment) when neither (another user cannot act for the owner).
std::vector<std::string> as_owner(const Owner& owner, std::vector<std::string> argv);

// "<pgdata>.pitr-restore-20261128T231000Z": beside the data directory, on the same file system,
// so moving it aside is a rename and instant.
std::string aside_path(const std::string& pgdata, const std::string& stamp);

// Runs argv (already wrapped by as_owner) and throws kit::Error(`category`) with its stderr when it fails.
void run_checked(const std::vector<std::string>& argv, const std::string& what, kit::Millis timeout, int category);

// Creates `dir` (mode 0700, owned by `owner`) and copies the contents of `from` into it as the owner.
// Throws kit::Error(partial) with cp's own message (e.g. "No space left on device").
void copy_as_owner(const Owner& owner, const std::string& from, const std::string& dir);

// The disk usage of a directory tree and the free space where `dir` would live, in bytes.
unsigned long long tree_bytes(const std::string& dir);
unsigned long long free_bytes(const std::string& path);

std::string compact_stamp(long long unix_seconds);  // "20261128T231000Z"

}  // namespace pitr_restore
