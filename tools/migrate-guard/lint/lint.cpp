// The linter's driver: parse, walk the statements in order keeping what the file has done so far
// (tables it created, whether lock_timeout is set), run every rule family, apply suppressions.
#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "internal.hpp"

namespace migrate_guard::lint {
namespace detail {
namespace {

using Columns = std::map<std::string, std::map<std::string, ColumnType>>;

struct Suppression {
  std::vector<std::string> rules;
  std::string reason;
};

std::string trim(std::string s) {
  auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && blank(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && blank(s[i])) ++i;
  return s.substr(i);
}

// `migrate-guard-ignore: rule[,rule...] reason`
std::optional<Suppression> parse_suppression(const std::string& comment) {
  static const std::string marker = "migrate-guard-ignore:";
  std::string body = trim(comment);
  if (body.size() < marker.size()) return std::nullopt;
  std::string head = body.substr(0, marker.size());
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
  if (head != marker) return std::nullopt;
  std::string rest = trim(body.substr(marker.size()));
  Suppression s;
  // Rule names: a comma-separated list, possibly with blanks after the commas.
  std::size_t i = 0;
  while (i < rest.size()) {
    std::size_t e = i;
    while (e < rest.size() && !std::isspace(static_cast<unsigned char>(rest[e]))) ++e;
    std::string token = rest.substr(i, e - i);
    bool more = !token.empty() && token.back() == ',';
    std::size_t start = 0;
    while (start <= token.size()) {
      std::size_t comma = token.find(',', start);
      std::string name = token.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!name.empty()) s.rules.push_back(name);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    i = e;
    while (i < rest.size() && std::isspace(static_cast<unsigned char>(rest[i]))) ++i;
    if (!more) break;
  }
  s.reason = trim(rest.substr(std::min(i, rest.size())));
  return s;
}

// Which statement each comment speaks for: the one it sits in, else the one that ended earlier
// on the same line (`DROP ...; -- migrate-guard-ignore: ...`), else the next one.
int owner_of(const Comment& c, const std::vector<Statement>& statements, const Source& source) {
  for (const auto& st : statements) {
    if (c.begin >= st.begin && c.begin < st.end) return st.index;
  }
  const Statement* before = nullptr;
  for (const auto& st : statements) {
    if (st.end <= c.begin) before = &st;
  }
  if (before && before->end > before->begin &&
      source.line_of(before->end - 1) == source.line_of(c.begin)) {
    return before->index;
  }
  for (const auto& st : statements) {
    if (st.begin > c.begin) return st.index;
  }
  return -1;
}

std::string var_set_value(const json& node) {
  const json& args = items(node, "args");
  if (args.empty()) return {};
  const json& a = args[0];
  if (!a.contains("A_Const")) return "?";
  const json& c = child(a, "A_Const");
  if (c.contains("sval")) return str(child(c, "sval"), "sval");
  if (c.contains("ival")) return std::to_string(integer(child(c, "ival"), "ival"));
  return "?";
}

bool zero_timeout(const std::string& value) {
  std::size_t i = 0;
  while (i < value.size() && value[i] == '0') ++i;
  return i > 0 && (i == value.size() || value.substr(i) == "ms" || value.substr(i) == "s" || value.substr(i) == "min");
}

// Renames follow the object: a table's columns, creation record and indexes move to the new
// name; a type rename retypes every column of that type (PostgreSQL refers to the type by OID).
void rename_table(const std::string& from, const std::string& to, FileState& state) {
  History& h = *state.history;
  if (state.new_tables.erase(from)) state.new_tables.insert(to);
  if (auto c = h.columns.find(from); c != h.columns.end()) {
    auto cols = std::move(c->second);
    h.columns.erase(c);
    h.columns[to] = std::move(cols);
  }
  if (auto c = h.created_in.find(from); c != h.created_in.end()) {
    int file = c->second;
    h.created_in.erase(c);
    h.created_in[to] = file;
  }
  for (auto& [index, table] : h.index_table)
    if (table == from) table = to;
}

void forget_table(const std::string& table, FileState& state) {
  History& h = *state.history;
  h.columns.erase(table);
  h.created_in.erase(table);
  state.new_tables.erase(table);
  for (auto it = h.index_table.begin(); it != h.index_table.end();) {
    if (it->second == table) it = h.index_table.erase(it);
    else ++it;
  }
}

// The column type, tied to the history's type of that name (created on first sight).
ColumnType bind(History& h, ColumnType t) {
  auto& type = h.types[t.name];
  if (!type) type = std::make_shared<std::string>(t.name);
  t.type = type;
  return t;
}

std::string last_name(const json& names) {
  const json& list = names.is_array() ? names : items(names, "items");
  return list.empty() ? std::string{} : str(child(list.back(), "String"), "sval");
}

void track_state(const Statement& st, FileState& state) {
  History& h = *state.history;
  Columns& columns = h.columns;
  const json& n = st.node;
  if (st.kind == "CreateStmt") {
    // With IF NOT EXISTS the table may be an old, live one: only a plain CREATE makes it new.
    if (flag(n, "if_not_exists")) return;
    std::string table = relation_name(child(n, "relation"));
    state.new_tables.insert(table);
    h.created_in[table] = h.file;
    auto& cols = columns[table];
    cols.clear();
    for (const auto& elt : items(n, "tableElts")) {
      if (elt.contains("ColumnDef")) {
        cols[str(child(elt, "ColumnDef"), "colname")] = bind(h, column_type(child(child(elt, "ColumnDef"), "typeName")));
      } else if (elt.contains("Constraint")) {
        std::string index = str(child(elt, "Constraint"), "conname");
        if (!index.empty()) h.index_table[index] = table;
      }
    }
  } else if (st.kind == "CreateTableAsStmt") {
    if (n.contains("into") && !flag(n, "if_not_exists")) {
      std::string table = relation_name(child(child(n, "into"), "rel"));
      if (str(n, "objtype") == "OBJECT_MATVIEW") {
        state.new_views.insert(table);
      } else {
        state.new_tables.insert(table);
        h.created_in[table] = h.file;
      }
    }
  } else if (st.kind == "ViewStmt") {
    // Only a plain CREATE VIEW is surely new; OR REPLACE may replace a live view.
    if (!flag(n, "replace") && n.contains("view")) state.new_views.insert(relation_name(child(n, "view")));
  } else if (st.kind == "IndexStmt") {
    std::string name = str(n, "idxname");
    if (!name.empty() && !flag(n, "if_not_exists")) state.new_indexes.insert(name);
    if (!name.empty()) h.index_table[name] = relation_name(child(n, "relation"));
  } else if (st.kind == "AlterTableStmt") {
    std::string table = relation_name(child(n, "relation"));
    for (const auto& item : items(n, "cmds")) {
      const json& cmd = child(item, "AlterTableCmd");
      std::string sub = str(cmd, "subtype");
      if (sub == "AT_AddColumn" && cmd.contains("def") && child(cmd, "def").contains("ColumnDef")) {
        const json& def = child(child(cmd, "def"), "ColumnDef");
        columns[table][str(def, "colname")] = bind(h, column_type(child(def, "typeName")));
      } else if (sub == "AT_AlterColumnType" && cmd.contains("def")) {
        columns[table][str(cmd, "name")] = bind(h, column_type(child(child(child(cmd, "def"), "ColumnDef"), "typeName")));
      } else if (sub == "AT_DropColumn") {
        columns[table].erase(str(cmd, "name"));
      } else if (sub == "AT_AddConstraint" && cmd.contains("def") && child(cmd, "def").contains("Constraint")) {
        std::string index = str(child(child(cmd, "def"), "Constraint"), "conname");
        if (!index.empty()) h.index_table[index] = table;
      }
    }
  } else if (st.kind == "RenameStmt") {
    std::string type = str(n, "renameType");
    std::string table = n.contains("relation") ? relation_name(child(n, "relation")) : "";
    std::string to = str(n, "newname");
    if (type == "OBJECT_TABLE") {
      // The new name keeps the schema of the old one.
      auto dot = table.rfind('.');
      rename_table(table, dot == std::string::npos ? to : table.substr(0, dot + 1) + to, state);
    } else if (type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW") {
      if (state.new_views.erase(table)) state.new_views.insert(to);
    } else if (type == "OBJECT_INDEX") {
      std::string index = str(child(n, "relation"), "relname");
      if (state.new_indexes.erase(index)) state.new_indexes.insert(to);
      if (auto it = h.index_table.find(index); it != h.index_table.end()) {
        std::string on = it->second;
        h.index_table.erase(it);
        h.index_table[to] = on;
      }
    } else if (type == "OBJECT_COLUMN" && columns.count(table)) {
      auto& cols = columns[table];
      auto it = cols.find(str(n, "subname"));
      if (it != cols.end()) {
        ColumnType t = it->second;
        cols.erase(it);
        cols[to] = t;
      }
    } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
      // ALTER TYPE "Role_new" RENAME TO "Role": the columns typed "Role_new" are now "Role".
      std::string from = object_name(child(n, "object"));
      if (auto dot = from.rfind('.'); dot != std::string::npos) from.erase(0, dot + 1);
      auto type = h.types.find(from);
      if (type != h.types.end()) {
        std::shared_ptr<std::string> t = type->second;
        h.types.erase(type);
        *t = to;
        h.types[to] = t;
      }
    }
  } else if (st.kind == "CreateEnumStmt" || st.kind == "CompositeTypeStmt" || st.kind == "CreateDomainStmt") {
    // A new type of that name: columns of an older, dropped or renamed one keep theirs.
    std::string name = st.kind == "CompositeTypeStmt"
                           ? (n.contains("typevar") ? str(child(n, "typevar"), "relname") : std::string{})
                           : last_name(items(n, st.kind == "CreateEnumStmt" ? "typeName" : "domainname"));
    if (!name.empty()) h.types[name] = std::make_shared<std::string>(name);
  } else if (st.kind == "DropStmt") {
    std::string type = str(n, "removeType");
    if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
      for (const auto& obj : items(n, "objects")) {
        if (obj.contains("TypeName")) h.types.erase(last_name(items(child(obj, "TypeName"), "names")));
      }
    }
    for (const auto& obj : items(n, "objects")) {
      if (type == "OBJECT_TABLE") forget_table(object_name(obj), state);
      else if (type == "OBJECT_INDEX") h.index_table.erase(object_name(obj));
    }
  } else if (st.kind == "VariableSetStmt" && str(n, "name") == "lock_timeout") {
    state.lock_timeout_set = str(n, "kind") == "VAR_SET_VALUE" && !zero_timeout(var_set_value(n));
  } else if (st.kind == "SelectStmt") {
    // SELECT set_config('lock_timeout', '5s', ...)
    for (const auto& target : items(n, "targetList")) {
      const json& val = child(child(target, "ResTarget"), "val");
      if (!val.contains("FuncCall")) continue;
      const json& call = child(val, "FuncCall");
      const json& names = items(call, "funcname");
      const json& args = items(call, "args");
      if (names.empty() || str(child(names.back(), "String"), "sval") != "set_config" || args.size() < 2) continue;
      auto text = [](const json& arg) {
        return arg.contains("A_Const") && child(arg, "A_Const").contains("sval") ? str(child(child(arg, "A_Const"), "sval"), "sval") : "?";
      };
      if (text(args[0]) == "lock_timeout") state.lock_timeout_set = !zero_timeout(text(args[1]));
    }
  }
}

// Where the table of a finding comes from, judged before the statement's own effects.
void locate_table(Finding& f, const FileState& state) {
  if (f.table.empty()) return;
  const History& h = *state.history;
  std::string key = f.table;
  f.table = qualified(key);
  if (state.new_tables.count(key)) {
    f.table_origin = TableOrigin::same_file;
    return;
  }
  auto c = h.created_in.find(key);
  if (c != h.created_in.end() && c->second < h.file && h.linted[static_cast<std::size_t>(c->second)]) {
    f.table_origin = TableOrigin::earlier_migration;
    f.table_created_in = h.paths[static_cast<std::size_t>(c->second)];
    return;
  }
  f.table_origin = TableOrigin::existing;
}

// A name from the file, fit for a one-line message: control bytes (a quoted identifier may hold a
// newline, then `::error::`) shown as \xNN, the length capped.
std::string printable(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (out.size() >= 200) return out + "...";
    if (c < 0x20 || c == 0x7F) {
      static const char* hex = "0123456789ABCDEF";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// What PostgreSQL keeps of a long name: 63 bytes, cut back to a character boundary
// (truncate_identifier uses pg_mbcliplen).
std::string truncated_name(const std::string& name) {
  std::size_t n = std::min<std::size_t>(name.size(), 63);
  while (n > 0 && n < name.size() && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
  return name.substr(0, n);
}

// PostgreSQL (UTF8 database) rejects invalid UTF-8 and NUL bytes, and the JSON parse tree could not
// carry them: replace each bad byte with '?' (offsets stay put) and return where the first one was.
std::optional<std::size_t> sanitize_utf8(std::string& text) {
  std::optional<std::size_t> first;
  auto bad = [&](std::size_t at) {
    if (!first) first = at;
    text[at] = '?';
  };
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) { bad(i++); continue; }
    if (c < 0x80) { ++i; continue; }
    int len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (c >= 0xF5) len = 0;
    bool ok = len > 0 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && len == 3) {  // no overlong forms, no surrogates
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (!ok) { bad(i++); continue; }
    i += static_cast<std::size_t>(len);
  }
  return first;
}

}  // namespace

void Sink::add(const std::string& rule, std::string message, std::string hint, std::optional<long> location,
               const std::string& table) {
  Finding f;
  f.rule = rule;
  f.table = table;
  f.severity = severity_of(rule);
  f.message = std::move(message);
  f.hint = std::move(hint);
  std::size_t at = statement_.begin;
  if (location) at = statement_.node_base + static_cast<std::size_t>(*location);
  if (at < statement_.begin || at > statement_.end) at = statement_.begin;
  f.line = source_.line_of(at);
  f.col = source_.col_of(at);
  f.end_line = source_.line_of(statement_.end > statement_.begin ? statement_.end - 1 : statement_.begin);
  f.statement = statement_.index;
  out_.push_back(std::move(f));
}

// What a file is before the rules run: its text, lexed and parsed. Independent of every other
// file, so lint_sequence prepares files on several threads while the rules walk the history in
// order on one.
struct Prepared {
  Source source;
  Parsed parsed;
  std::optional<std::size_t> bad_byte;
};

Prepared prepare(const std::string& sql) {
  std::string text = sql;
  // A UTF-8 byte order mark is not SQL; blank it without moving any offset.
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.replace(0, 3, "   ");
  std::optional<std::size_t> bad_byte = sanitize_utf8(text);
  Prepared p{Source(std::move(text)), {}, bad_byte};
  p.parsed = parse(p.source);
  return p;
}

FileReport lint_file(const std::string& path, Prepared& prepared, const Options& options, History& history) {
  FileReport report;
  report.path = path;
  const Source& source = prepared.source;
  Parsed& parsed = prepared.parsed;
  const std::optional<std::size_t>& bad_byte = prepared.bad_byte;
  report.statements = static_cast<int>(parsed.statements.size());
  report.syntax_error = parsed.syntax_error;

  std::vector<std::vector<Suppression>> suppressions(parsed.statements.size());
  for (const auto& c : source.comments()) {
    auto s = parse_suppression(c.text);
    if (!s) continue;
    int owner = owner_of(c, parsed.statements, source);
    if (owner >= 0) suppressions[owner].push_back(*s);
  }

  for (const auto& st : parsed.statements) {
    std::size_t last = st.end > st.begin ? st.end - 1 : st.begin;
    report.spans.push_back({source.line_of(st.begin), source.col_of(st.begin), source.line_of(last)});
  }

  if (bad_byte) {
    Finding f;
    f.rule = "syntax-error";
    f.severity = severity_of(f.rule);
    f.message = "The file is not valid UTF-8 (or contains a NUL byte) here: PostgreSQL rejects the whole migration.";
    f.hint = "Save the file as UTF-8 (without NUL bytes).";
    f.line = f.end_line = source.line_of(*bad_byte);
    f.col = source.col_of(*bad_byte);
    f.statement = static_cast<int>(report.spans.size());
    for (std::size_t i = 0; i < parsed.statements.size(); ++i) {
      if (parsed.statements[i].end > *bad_byte) {
        f.statement = static_cast<int>(i);
        break;
      }
    }
    report.syntax_error = true;
    if (!options.disabled_rules.count(f.rule)) report.findings.push_back(std::move(f));
  }

  // Long identifiers, by the statement they sit in (each name once per statement).
  std::vector<std::vector<const LongIdentifier*>> long_names(parsed.statements.size());
  for (const auto& id : source.long_identifiers()) {
    auto st = std::upper_bound(parsed.statements.begin(), parsed.statements.end(), id.begin,
                               [](std::size_t at, const Statement& x) { return at < x.begin; });
    if (st == parsed.statements.begin()) continue;
    --st;
    if (id.begin >= st->end) continue;
    auto& names = long_names[static_cast<std::size_t>(st->index)];
    if (std::none_of(names.begin(), names.end(), [&](const LongIdentifier* x) { return x->name == id.name; }))
      names.push_back(&id);
  }

  FileState state;
  state.statement_count = report.statements;
  state.history = &history;
  for (const auto& st : parsed.statements) {
    std::vector<Finding> found;
    Sink sink(source, st, found);
    if (st.kind.empty() && bad_byte && st.error_offset == *bad_byte) {
      continue;  // already reported as a bad byte
    } else if (st.kind.empty()) {
      Finding f;
      f.rule = "syntax-error";
      f.severity = severity_of(f.rule);
      f.message = "PostgreSQL cannot parse this statement: " + st.error;
      f.hint = "Fix the SQL; PostgreSQL would reject the whole migration and Prisma would record it as failed.";
      f.line = source.line_of(st.error_offset);
      f.col = source.col_of(st.error_offset);
      f.end_line = f.line;
      f.statement = st.index;
      found.push_back(std::move(f));
    } else {
      for (const LongIdentifier* id : long_names[static_cast<std::size_t>(st.index)]) {
        sink.add("identifier-too-long",
                 "Identifier \"" + printable(id->name) + "\" is " + std::to_string(id->bytes) +
                     " bytes: PostgreSQL silently keeps only the first 63 (\"" + printable(truncated_name(id->name)) +
                     "\"), so the database and the schema that generated this SQL disagree on the name.",
                 "Use a name of at most 63 bytes (Prisma: give the index, constraint or relation a shorter name with "
                 "map: \"...\", or the model/field one with @@map/@map).",
                 static_cast<long>(id->begin - st.node_base));
      }
      check_destructive(st, state, sink);
      check_locking(st, state, sink);
      check_types(st, state, sink);
      check_transactions(st, state, sink);
      for (auto& f : found) locate_table(f, state);
      track_state(st, state);
    }
    for (auto& f : found) {
      if (options.disabled_rules.count(f.rule)) continue;
      // PostgreSQL rejects a syntax error whatever the comment says: never suppressible.
      for (const auto& s : f.rule == "syntax-error" ? std::vector<Suppression>{} : suppressions[st.index]) {
        if (std::find(s.rules.begin(), s.rules.end(), f.rule) == s.rules.end()) continue;
        if (s.reason.empty()) {
          f.message += " (a migrate-guard-ignore comment names this rule but gives no reason, so it does not apply)";
          continue;
        }
        f.suppressed = true;
        f.suppress_reason = s.reason;
      }
      report.findings.push_back(std::move(f));
    }
  }
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.statement < b.statement; });
  return report;
}

}  // namespace detail

FileReport lint_sql(const std::string& path, const std::string& sql, const Options& options) {
  detail::DefaultSchema schema(options.default_schema);
  detail::History history;
  history.paths.push_back(path);
  history.linted.push_back(true);
  detail::Prepared prepared = detail::prepare(sql);
  return detail::lint_file(path, prepared, options, history);
}

std::vector<FileReport> lint_sequence(const std::vector<MigrationFile>& files, const Options& options) {
  detail::DefaultSchema schema(options.default_schema);
  detail::History history;
  for (const auto& file : files) {
    history.paths.push_back(file.path);
    history.linted.push_back(file.lint);
  }
  // Workers lex and parse up to `window` files ahead of the history pass (bounded memory); the
  // rules run here, in order. libpg_query keeps its parser state per thread.
  const std::size_t n = files.size();
  const unsigned workers = options.parse_workers ? options.parse_workers
                                                 : std::min(std::max(1u, std::thread::hardware_concurrency()), 8u);
  const std::size_t window = 2 * static_cast<std::size_t>(workers);
  std::vector<std::optional<detail::Prepared>> ready(n);
  std::vector<std::exception_ptr> failed(n);
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0, consumed = 0;
  bool stop = false;
  auto work = [&] {
    std::unique_lock lock(mutex);
    for (;;) {
      changed.wait(lock, [&] { return stop || next >= n || next < consumed + window; });
      if (stop || next >= n) return;
      std::size_t i = next++;
      lock.unlock();
      std::optional<detail::Prepared> p;
      std::exception_ptr error;
      try {
        p.emplace(detail::prepare(files[i].sql));
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      ready[i] = std::move(p);
      failed[i] = error;
      changed.notify_all();
    }
  };
  std::vector<std::thread> pool;
  if (n > 1 && workers > 1)
    for (unsigned k = 0; k < std::min<std::size_t>(workers, n); ++k) pool.emplace_back(work);
  struct Join {
    std::vector<std::thread>& pool;
    std::mutex& mutex;
    std::condition_variable& changed;
    bool& stop;
    ~Join() {
      {
        std::lock_guard lock(mutex);
        stop = true;
      }
      changed.notify_all();
      for (auto& t : pool) t.join();
    }
  } join{pool, mutex, changed, stop};

  std::vector<FileReport> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::optional<detail::Prepared> prepared;
    if (pool.empty()) {
      prepared.emplace(detail::prepare(files[i].sql));
    } else {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return ready[i].has_value() || failed[i]; });
      if (failed[i]) std::rethrow_exception(failed[i]);
      prepared = std::move(ready[i]);
      ready[i].reset();
      consumed = i + 1;
      changed.notify_all();
    }
    history.file = static_cast<int>(i);
    FileReport report = detail::lint_file(files[i].path, *prepared, options, history);
    if (files[i].lint) out.push_back(std::move(report));
  }
  return out;
}

}  // namespace migrate_guard::lint
