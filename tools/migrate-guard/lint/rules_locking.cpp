// Locks: index builds, constraints that scan, and how long a statement may wait in the lock queue.
// A statement waiting for ACCESS EXCLUSIVE blocks every query queued behind it, so even a fast
// DDL statement stalls a hot table while a long transaction holds a conflicting lock.
#include <algorithm>
#include <array>

#include "internal.hpp"

namespace migrate_guard::lint::detail {
namespace {

bool existing(const std::string& table, const FileState& state) { return !state.new_tables.count(table); }

// The table of an index created by a migration read so far; empty when unknown.
std::string table_of_index(const std::string& index, const FileState& state) {
  std::string name = index;
  // DROP INDEX s.i names the index with its schema; the history knows it by its bare name.
  if (auto dot = name.rfind('.'); dot != std::string::npos) name.erase(0, dot + 1);
  auto it = state.history->index_table.find(name);
  return it == state.history->index_table.end() ? std::string{} : it->second;
}

const char* kConcurrentHint =
    "Put the CONCURRENTLY statement alone in its own migration file (nothing else in it, not even SET): "
    "a file is sent as one query, which PostgreSQL runs as one transaction.";

void multi_statement(const Statement& st, const FileState& state, Sink& sink, const std::string& what) {
  if (state.statement_count <= 1) return;
  sink.add("concurrently-in-multi-statement-file",
           what + " cannot run inside a transaction, and this file has " + std::to_string(state.statement_count) +
               " statements, which Prisma and migrate-guard send as one query: the migration will fail.",
           kConcurrentHint);
}

// Statements PostgreSQL refuses inside a transaction block (REFRESH MATERIALIZED VIEW CONCURRENTLY
// is not one of them: it only may not run inside a function).
const char* outside_transaction_only(const std::string& kind) {
  if (kind == "CreatedbStmt") return "CREATE DATABASE";
  if (kind == "DropdbStmt") return "DROP DATABASE";
  if (kind == "AlterSystemStmt") return "ALTER SYSTEM";
  if (kind == "CreateTableSpaceStmt") return "CREATE TABLESPACE";
  if (kind == "DropTableSpaceStmt") return "DROP TABLESPACE";
  return nullptr;
}

bool has_param(const json& node, const char* key, const char* name) {
  for (const auto& p : items(node, key)) {
    if (p.contains("DefElem") && str(child(p, "DefElem"), "defname") == name) return true;
  }
  return false;
}

void index_stmt(const Statement& st, const FileState& state, Sink& sink) {
  std::string table = relation_name(child(st.node, "relation"));
  if (flag(st.node, "concurrent")) {
    multi_statement(st, state, sink, "CREATE INDEX CONCURRENTLY");
  } else if (existing(table, state)) {
    sink.add("require-concurrent-index-creation",
             "CREATE INDEX on " + table + " without CONCURRENTLY blocks all writes to the table while the index builds.",
             "Use CREATE INDEX CONCURRENTLY (IF NOT EXISTS) in a migration file of its own.", std::nullopt, table);
  }
}

void drop_index(const Statement& st, const FileState& state, Sink& sink) {
  if (flag(st.node, "concurrent")) {
    multi_statement(st, state, sink, "DROP INDEX CONCURRENTLY");
    return;
  }
  std::string names, table;
  for (const auto& obj : items(st.node, "objects")) {
    std::string name = object_name(obj);
    if (state.new_indexes.count(name)) continue;
    if (!names.empty()) names += ", ";
    names += name;
    if (table.empty()) table = table_of_index(name, state);
  }
  if (names.empty()) return;
  sink.add("require-concurrent-index-deletion",
           "DROP INDEX " + names + " without CONCURRENTLY takes ACCESS EXCLUSIVE on its table: reads and writes wait.",
           "Use DROP INDEX CONCURRENTLY (IF EXISTS) in a migration file of its own.", std::nullopt, table);
}

void add_constraint(const std::string& table, const json& c, Sink& sink) {
  std::string type = str(c, "contype");
  std::string name = str(c, "conname");
  std::string label = name.empty() ? "a constraint" : "constraint " + name;
  if ((type == "CONSTR_CHECK" || type == "CONSTR_FOREIGN") && !flag(c, "skip_validation")) {
    sink.add("constraint-missing-not-valid",
             "Adding " + label + " to " + table + " validates every row while holding the lock " +
                 (type == "CONSTR_FOREIGN" ? "(SHARE ROW EXCLUSIVE on both tables: writes wait)." : "(ACCESS EXCLUSIVE)."),
             "Add it with NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT in a later migration "
             "(it takes a lock that lets reads and writes continue).",
             location(c), table);
  } else if (type == "CONSTR_UNIQUE" && str(c, "indexname").empty()) {
    sink.add("disallowed-unique-constraint",
             "Adding unique " + label + " to " + table + " builds its index while holding ACCESS EXCLUSIVE.",
             "Build the index first with CREATE UNIQUE INDEX CONCURRENTLY (own migration), then "
             "ADD CONSTRAINT ... UNIQUE USING INDEX.",
             location(c), table);
  } else if (type == "CONSTR_PRIMARY" && str(c, "indexname").empty()) {
    sink.add("adding-serial-primary-key-field",
             "Adding a primary key to " + table + " builds its index while holding ACCESS EXCLUSIVE.",
             "Build a unique index with CREATE UNIQUE INDEX CONCURRENTLY (own migration), then "
             "ADD CONSTRAINT ... PRIMARY KEY USING INDEX.",
             location(c), table);
  }
}

void alter_table(const Statement& st, const FileState& state, Sink& sink) {
  if (str(st.node, "objtype") != "OBJECT_TABLE") return;
  std::string table = relation_name(child(st.node, "relation"));
  if (!existing(table, state)) return;
  for (const auto& item : items(st.node, "cmds")) {
    const json& cmd = child(item, "AlterTableCmd");
    std::string sub = str(cmd, "subtype");
    if (sub == "AT_AddConstraint" && cmd.contains("def") && child(cmd, "def").contains("Constraint")) {
      add_constraint(table, child(child(cmd, "def"), "Constraint"), sink);
    } else if (sub == "AT_AddColumn" && cmd.contains("def") && child(cmd, "def").contains("ColumnDef")) {
      // Inline PRIMARY KEY / UNIQUE on a new column builds an index under the ALTER's lock too.
      for (const json* c : constraints_of(child(child(cmd, "def"), "ColumnDef"))) {
        std::string type = str(*c, "contype");
        if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE") add_constraint(table, *c, sink);
      }
    }
  }
}

}  // namespace

BlockingLock blocking_lock(const Statement& st, const FileState& state) {
  const json& n = st.node;
  auto existing_rel = [&](const json& range_var) { return existing(relation_name(range_var), state); };
  const std::string exclusive = "ACCESS EXCLUSIVE";
  if (st.kind == "AlterTableStmt") {
    if (!n.contains("relation")) return {};
    std::string table = relation_name(child(n, "relation"));
    bool live = existing(table, state) && !state.new_views.count(table);
    // Sub-commands that take a weaker lock (PostgreSQL's AlterTableGetLockLevel).
    static const std::array<const char*, 14> weaker = {
        "AT_ValidateConstraint", "AT_SetStatistics", "AT_SetOptions", "AT_ResetOptions", "AT_ClusterOn",
        "AT_DropCluster", "AT_AttachPartition", "AT_EnableTrig", "AT_EnableAlwaysTrig", "AT_EnableReplicaTrig",
        "AT_DisableTrig", "AT_EnableTrigAll", "AT_DisableTrigAll", "AT_SetCompression"};
    BlockingLock lock;
    for (const auto& item : items(n, "cmds")) {
      const json& cmd = child(item, "AlterTableCmd");
      std::string sub = str(cmd, "subtype");
      if (sub == "AT_AddConstraint" && cmd.contains("def") &&
          str(child(child(cmd, "def"), "Constraint"), "contype") == "CONSTR_FOREIGN") {
        // SHARE ROW EXCLUSIVE on this table and on the referenced one, which may be live even
        // when this table is new (Prisma adds every foreign key this way).
        const json& c = child(child(cmd, "def"), "Constraint");
        if (live) lock = {"SHARE ROW EXCLUSIVE", table};
        else if (c.contains("pktable") && existing_rel(child(c, "pktable"))) lock = {"SHARE ROW EXCLUSIVE", relation_name(child(c, "pktable"))};
        continue;
      }
      if (live && std::find(weaker.begin(), weaker.end(), sub) == weaker.end()) return {exclusive, table};
    }
    return lock;
  }
  if (st.kind == "DropStmt") {
    std::string type = str(n, "removeType");
    if (type == "OBJECT_TABLE" || type == "OBJECT_MATVIEW" || type == "OBJECT_VIEW") {
      // A view in use is locked by its readers (ACCESS SHARE) like a table: DROP VIEW queues
      // behind them and every later reader queues behind it.
      for (const auto& obj : items(n, "objects")) {
        std::string name = object_name(obj);
        if (existing(name, state) && !state.new_views.count(name)) return {exclusive, name};
      }
    }
    if (type == "OBJECT_INDEX" && !flag(n, "concurrent")) {
      for (const auto& obj : items(n, "objects")) {
        std::string name = object_name(obj);
        if (!state.new_indexes.count(name)) return {exclusive, table_of_index(name, state)};
      }
    }
    return {};
  }
  if (st.kind == "ViewStmt") {
    // CREATE OR REPLACE VIEW takes ACCESS EXCLUSIVE on the view it replaces; a plain CREATE VIEW
    // makes a new one (only ACCESS SHARE on the tables it reads).
    if (!flag(n, "replace") || !n.contains("view")) return {};
    std::string view = relation_name(child(n, "view"));
    return state.new_views.count(view) ? BlockingLock{} : BlockingLock{exclusive, view};
  }
  auto on = [&](const char* lock, const json& range_var) {
    return existing_rel(range_var) ? BlockingLock{lock, relation_name(range_var)} : BlockingLock{};
  };
  if (st.kind == "IndexStmt") return flag(n, "concurrent") ? BlockingLock{} : on("SHARE", child(n, "relation"));
  if (st.kind == "CreateTrigStmt") return on("SHARE ROW EXCLUSIVE", child(n, "relation"));
  if (st.kind == "RenameStmt") {
    if (!n.contains("relation")) return {};
    std::string rel = relation_name(child(n, "relation"));
    return existing(rel, state) && !state.new_views.count(rel) ? BlockingLock{exclusive, rel} : BlockingLock{};
  }
  if (st.kind == "TruncateStmt") {
    for (const auto& r : items(n, "relations")) {
      if (existing_rel(child(r, "RangeVar"))) return {exclusive, relation_name(child(r, "RangeVar"))};
    }
    return {};
  }
  auto first_relation = [&]() -> std::string {
    if (n.contains("relation")) return relation_name(child(n, "relation"));
    for (const auto& r : items(n, "rels")) {
      if (r.contains("VacuumRelation") && child(r, "VacuumRelation").contains("relation"))
        return relation_name(child(child(r, "VacuumRelation"), "relation"));
    }
    return {};
  };
  if (st.kind == "VacuumStmt") return has_param(n, "options", "full") ? BlockingLock{exclusive, first_relation()} : BlockingLock{};
  if (st.kind == "ClusterStmt") return {exclusive, first_relation()};
  if (st.kind == "ReindexStmt") return has_param(n, "params", "concurrently") ? BlockingLock{} : BlockingLock{exclusive, first_relation()};
  if (st.kind == "RefreshMatViewStmt") return flag(n, "concurrent") ? BlockingLock{} : BlockingLock{exclusive, first_relation()};
  if (st.kind == "LockStmt" && integer(n, "mode") >= 5) {
    const json& rels = items(n, "relations");
    std::string table = !rels.empty() && rels[0].contains("RangeVar") ? relation_name(child(rels[0], "RangeVar")) : "";
    return {"SHARE (or stronger, LOCK TABLE)", table};
  }
  return {};
}

void check_locking(const Statement& st, FileState& state, Sink& sink) {
  const json& n = st.node;
  if (st.kind == "IndexStmt") {
    index_stmt(st, state, sink);
  } else if (st.kind == "DropStmt" && str(n, "removeType") == "OBJECT_INDEX") {
    drop_index(st, state, sink);
  } else if (st.kind == "ReindexStmt" && has_param(n, "params", "concurrently")) {
    multi_statement(st, state, sink, "REINDEX CONCURRENTLY");
  } else if (st.kind == "VacuumStmt" && flag(n, "is_vacuumcmd")) {
    multi_statement(st, state, sink, "VACUUM");
  } else if (const char* what = outside_transaction_only(st.kind)) {
    multi_statement(st, state, sink, what);
  } else if (st.kind == "AlterTableStmt") {
    alter_table(st, state, sink);
  }
  if (state.lock_timeout_set || state.lock_timeout_reported) return;
  BlockingLock lock = blocking_lock(st, state);
  if (!lock.lock.empty()) {
    state.lock_timeout_reported = true;
    sink.add("require-lock-timeout",
             "This statement locks a live table (" + lock.lock + ") with no lock_timeout set: if a long query holds the "
             "table, it waits, and every query queued behind it waits too (reported once per file).",
             "Start the migration with SET lock_timeout = '5s'; (or run deploy with --lock-timeout-sql) and retry on "
             "timeout.",
             std::nullopt, lock.table);
  }
}

}  // namespace migrate_guard::lint::detail
