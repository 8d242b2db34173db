// Statements that lose data or break the version of the app still running during a deploy.
// Objects created earlier in the same file are not live yet, so dropping or renaming them is fine.
#include "internal.hpp"

namespace migrate_guard::lint::detail {
namespace {

bool existing(const std::string& table, const FileState& state) { return !state.new_tables.count(table); }

void drop_stmt(const Statement& st, const FileState& state, Sink& sink) {
  if (str(st.node, "removeType") != "OBJECT_TABLE") return;
  // One finding per table: each carries its table, and `deploy` judges each against the database.
  for (const auto& obj : items(st.node, "objects")) {
    std::string name = object_name(obj);
    if (!existing(name, state)) continue;
    sink.add("ban-drop-table", "DROP TABLE " + name + " deletes a table and its data; the running release may still use it.",
             "Deploy code that no longer uses the table first, keep a backup, then drop it in a later migration "
             "(suppress with `-- migrate-guard-ignore: ban-drop-table <reason>`).",
             std::nullopt, name);
  }
}

void alter_table(const Statement& st, const FileState& state, Sink& sink) {
  if (str(st.node, "objtype") != "OBJECT_TABLE") return;
  std::string table = relation_name(child(st.node, "relation"));
  if (!existing(table, state)) return;
  for (const auto& item : items(st.node, "cmds")) {
    const json& cmd = child(item, "AlterTableCmd");
    if (str(cmd, "subtype") != "AT_DropColumn") continue;
    sink.add("ban-drop-column",
             "DROP COLUMN " + str(cmd, "name") + " on " + table + " deletes data; the running release may still read or write it.",
             "Stop using the column in code (Prisma: remove it from the schema and deploy) before dropping it in a later migration.",
             std::nullopt, table);
  }
}

void rename_stmt(const Statement& st, const FileState& state, Sink& sink) {
  std::string type = str(st.node, "renameType");
  if (!st.node.contains("relation")) return;
  std::string table = relation_name(child(st.node, "relation"));
  if (!existing(table, state)) return;
  if (type == "OBJECT_TABLE") {
    sink.add("renaming-table",
             "Renaming table " + table + " to " + str(st.node, "newname") + " breaks every query of the release still running.",
             "Create the new table (or a view with the new name), move readers and writers over in steps, then drop the old name.",
             std::nullopt, table);
  } else if (type == "OBJECT_COLUMN" && str(st.node, "relationType") == "OBJECT_TABLE") {
    sink.add("renaming-column",
             "Renaming column " + table + "." + str(st.node, "subname") + " to " + str(st.node, "newname") +
                 " breaks every query of the release still running.",
             "Add the new column, write to both, backfill, switch reads, then drop the old column in a later release "
             "(Prisma: keep the column name and use @map for the field name).",
             std::nullopt, table);
  }
}

}  // namespace

void check_destructive(const Statement& st, const FileState& state, Sink& sink) {
  if (st.kind == "DropdbStmt") {
    sink.add("ban-drop-database", "DROP DATABASE " + str(st.node, "dbname") + " in a migration deletes everything in it.",
             "Drop databases by hand, never from a migration.");
  } else if (st.kind == "DropStmt") {
    drop_stmt(st, state, sink);
  } else if (st.kind == "AlterTableStmt") {
    alter_table(st, state, sink);
  } else if (st.kind == "RenameStmt") {
    rename_stmt(st, state, sink);
  } else if (st.kind == "TruncateStmt" && str(st.node, "behavior") == "DROP_CASCADE") {
    sink.add("ban-truncate-cascade",
             "TRUNCATE ... CASCADE also empties every table with a foreign key to these tables, recursively.",
             "Name every table to truncate explicitly, without CASCADE.");
  }
}

}  // namespace migrate_guard::lint::detail
