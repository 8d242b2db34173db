#pragma once
// Stopping, starting and watching a PostgreSQL server on a data directory, through pg_ctl run as
// the directory's owner. pg_ctl start -w returns when the server is consistent and read-only,
// long before the recovery target: the wait here polls pg_is_in_recovery() until it is false.
#include <optional>
#include <string>

#include "kit/duration.hpp"
#include "pitr-restore/data_dir.hpp"
#include "pitr-restore/database.hpp"
#include "pitr-restore/result.hpp"

namespace pitr_restore {

struct Server {
  std::string pgdata;
  std::string pg_bin;  // directory of pg_ctl
  Owner owner;
  std::string log_file;  // pg_ctl -l
};

// /usr/lib/postgresql/<PG_VERSION>/bin when it exists, else "" (pg_ctl from PATH).
std::string default_pg_bin(const std::string& pg_version);

// A postmaster runs on `pgdata` (postmaster.pid names a live process).
bool postmaster_running(const std::string& pgdata);

// pg_ctl stop -m fast, bounded. Throws kit::Error(environment) when the server does not stop:
// nothing has been changed yet.
void stop_server(const Server& server, kit::Millis timeout);
// Stops without caring about the outcome (cleanup of a scratch cluster).
void stop_quietly(const Server& server);

// pg_ctl start without waiting (the wait is ours). Throws kit::Error(partial).
void start_server(const Server& server);

struct Promotion {
  bool promoted = false;
  std::string failure;  // why not: the server stopped (with its log's last FATAL), or the deadline
  std::string replay_lsn;
};

// Polls until the server accepts connections and pg_is_in_recovery() is false, the server dies,
// or `deadline` passes; a progress line (phase, WAL replayed, elapsed) every `progress_every`.
// `endpoint` is how to connect once the server is up (nullopt: its own socket as the owner).
Promotion wait_for_promotion(const Server& server, const std::optional<Endpoint>& endpoint, kit::Millis deadline,
                             kit::Millis progress_every, Timeline& timeline);

// The last FATAL/PANIC line of the server log, or its last lines.
std::string log_problem(const std::string& log_file);

}  // namespace pitr_restore
