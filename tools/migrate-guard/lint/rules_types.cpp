// Column definitions and type changes: what makes PostgreSQL rewrite or scan a whole table while it
// holds ACCESS EXCLUSIVE, and what fails outright on a table that already has rows.
#include <algorithm>
#include <array>

#include "internal.hpp"

namespace migrate_guard::lint::detail {
namespace {

bool existing(const std::string& table, const FileState& state) { return !state.new_tables.count(table); }

bool has_constraint(const json& column_def, const char* contype) {
  for (const json* c : constraints_of(column_def)) {
    if (str(*c, "contype") == contype) return true;
  }
  return false;
}

const json* default_expr(const json& column_def) {
  for (const json* c : constraints_of(column_def)) {
    if (str(*c, "contype") == "CONSTR_DEFAULT" && c->contains("raw_expr")) return &child(*c, "raw_expr");
  }
  return nullptr;
}

bool is_serial(const ColumnType& t) {
  return t.name == "serial" || t.name == "bigserial" || t.name == "smallserial" || t.name == "serial2" ||
         t.name == "serial4" || t.name == "serial8";
}

// Functions known not to be VOLATILE: a default calling only these is evaluated once, when the
// column is added, and stored in the catalog (PostgreSQL 11+), so no rewrite. now() and
// CURRENT_TIMESTAMP are STABLE: every existing row gets the time of the ALTER.
bool non_volatile(const std::string& fn) {
  static const std::array<const char*, 22> known = {
      "now", "statement_timestamp", "transaction_timestamp", "lower", "upper", "concat", "btrim", "trim",
      "to_jsonb", "to_json", "jsonb_build_object", "json_build_object", "jsonb_build_array", "json_build_array",
      "array_fill", "make_interval", "make_date", "make_timestamptz", "to_timestamp", "length", "md5", "abs"};
  return std::find(known.begin(), known.end(), fn) != known.end();
}

void check_timestamp(const json& column_def, const std::string& where, Sink& sink) {
  const json& type = child(column_def, "typeName");
  ColumnType t = column_type(type);
  if (t.name != "timestamp") return;
  std::string column = str(column_def, "colname");
  sink.add("prefer-timestamptz",
           "Column " + where + (column.empty() ? "" : "." + column) + " is timestamp without time zone: the UTC offset is dropped "
           "and values depend on the writer's TimeZone setting.",
           "Use timestamptz. Prisma maps DateTime to timestamp(3) by default: declare the field with "
           "@db.Timestamptz(3) instead.",
           location(type), where);
}

void add_column(const std::string& table, const json& def, const FileState& state, Sink& sink) {
  if (!existing(table, state)) return;
  ColumnType t = column_type(child(def, "typeName"));
  std::string column = table + "." + str(def, "colname");
  const json* dflt = default_expr(def);
  bool identity = has_constraint(def, "CONSTR_IDENTITY");
  bool generated = has_constraint(def, "CONSTR_GENERATED");
  if (has_constraint(def, "CONSTR_NOTNULL") && !dflt && !identity && !generated && !is_serial(t)) {
    sink.add("adding-required-field",
             "Adding " + column + " NOT NULL without a DEFAULT fails as soon as the table has a row.",
             "Add the column nullable (or with a constant DEFAULT), backfill, then add the NOT NULL in steps "
             "(CHECK ... NOT VALID, VALIDATE, SET NOT NULL). Prisma: make the field optional or give it @default.",
             location(def), table);
  }
  std::string why;
  if (dflt) {
    std::vector<std::string> fns;
    called_functions(*dflt, fns);
    for (const auto& fn : fns) {
      if (!non_volatile(fn)) {
        why = "its DEFAULT calls " + fn + "(), which is (or may be) VOLATILE";
        break;
      }
    }
  }
  if (why.empty() && generated) why = "it is a stored generated column";
  if (why.empty() && identity) why = "it is an identity column";
  if (why.empty() && is_serial(t)) why = "a " + t.name + " column defaults to nextval(), which is VOLATILE";
  if (!why.empty()) {
    sink.add("adding-field-with-default",
             "Adding " + column + " rewrites the whole table under ACCESS EXCLUSIVE: " + why + ".",
             "Add the column without a default (or with a constant one), set the default in a second statement, and "
             "backfill existing rows in batches.",
             location(def), table);
  }
}

// Whether changing `from` into `to` is known to need neither a rewrite nor a scan.
bool safe_change(const ColumnType& from, const ColumnType& to) {
  if (from.array != to.array) return false;
  bool from_varchar = from.name == "varchar";
  if (from_varchar && to.name == "varchar") {
    if (to.typmods.empty()) return true;
    return !from.typmods.empty() && to.typmods[0] >= from.typmods[0];
  }
  if (from_varchar && to.name == "text") return true;
  if (from.name == "text" && to.name == "varchar" && to.typmods.empty()) return true;
  if (from.name == "numeric" && to.name == "numeric") {
    if (to.typmods.empty()) return true;
    if (from.typmods.empty()) return false;
    long from_scale = from.typmods.size() > 1 ? from.typmods[1] : 0;
    long to_scale = to.typmods.size() > 1 ? to.typmods[1] : 0;
    return from_scale == to_scale && to.typmods[0] >= from.typmods[0];
  }
  return from.name == to.name && from.typmods == to.typmods;
}

void alter_column_type(const std::string& table, const json& cmd, const FileState& state, Sink& sink) {
  if (!existing(table, state)) return;
  std::string column = str(cmd, "name");
  const json& def = child(child(cmd, "def"), "ColumnDef");
  ColumnType to = column_type(child(def, "typeName"));
  std::optional<ColumnType> from;
  if (state.history) {
    auto t = state.history->columns.find(table);
    if (t != state.history->columns.end()) {
      auto c = t->second.find(column);
      if (c != t->second.end()) {
        from = c->second;
        from->name = from->current_name();  // after the type renames since it was declared
      }
    }
  }
  if (from && safe_change(*from, to)) return;
  std::string what = "Changing " + table + "." + column + " to " + type_text(to);
  std::string message;
  if (from && from->name == "varchar" && to.name == "varchar") {
    message = what + " narrows it from " + type_text(*from) + ": PostgreSQL rewrites the table under ACCESS EXCLUSIVE.";
  } else if (from) {
    message = what + " from " + type_text(*from) + " rewrites the table (and its indexes) under ACCESS EXCLUSIVE.";
  } else {
    message = what + " rewrites the table under ACCESS EXCLUSIVE unless the change is binary compatible "
              "(varchar widening, varchar to text); the old type is not declared in the migrations read.";
  }
  sink.add("changing-column-type", message,
           "Add a new column of the new type, write to both, backfill in batches, switch reads, then drop the old one. "
           "Widening a varchar or moving to text is safe: suppress with a reason.",
           location(def), table);
}

}  // namespace

void check_types(const Statement& st, const FileState& state, Sink& sink) {
  if (st.kind == "CreateStmt") {
    std::string table = relation_name(child(st.node, "relation"));
    for (const auto& elt : items(st.node, "tableElts")) {
      if (elt.contains("ColumnDef")) check_timestamp(child(elt, "ColumnDef"), table, sink);
    }
    return;
  }
  if (st.kind != "AlterTableStmt" || str(st.node, "objtype") != "OBJECT_TABLE") return;
  std::string table = relation_name(child(st.node, "relation"));
  for (const auto& item : items(st.node, "cmds")) {
    const json& cmd = child(item, "AlterTableCmd");
    std::string sub = str(cmd, "subtype");
    if (sub == "AT_AddColumn" && cmd.contains("def") && child(cmd, "def").contains("ColumnDef")) {
      check_timestamp(child(child(cmd, "def"), "ColumnDef"), table, sink);
      add_column(table, child(child(cmd, "def"), "ColumnDef"), state, sink);
    } else if (sub == "AT_AlterColumnType" && cmd.contains("def")) {
      json def = child(child(cmd, "def"), "ColumnDef");
      def["colname"] = str(cmd, "name");
      check_timestamp(def, table, sink);
      alter_column_type(table, cmd, state, sink);
    } else if (sub == "AT_DropNotNull" && existing(table, state)) {
      sink.add("ban-drop-not-null",
               "DROP NOT NULL on " + table + "." + str(cmd, "name") +
                   " lets NULLs in: code of the running release that assumes a value may break.",
               "Make sure every reader handles NULL first (Prisma: the field becomes optional), then deploy this.",
               std::nullopt, table);
    } else if (sub == "AT_SetNotNull" && existing(table, state)) {
      sink.add("adding-not-nullable-field",
               "SET NOT NULL on " + table + "." + str(cmd, "name") +
                   " scans the whole table while holding ACCESS EXCLUSIVE (reads and writes wait).",
               "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later migration, then SET NOT NULL "
               "(PostgreSQL 12+ uses the validated check and skips the scan) and drop the check.",
               std::nullopt, table);
    }
  }
}

}  // namespace migrate_guard::lint::detail
