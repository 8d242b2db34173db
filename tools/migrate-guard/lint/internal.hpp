#pragma once
// Shared between the linter's .cpp files only (it pulls in nlohmann/json): the parsed statements
// of one file, what the file has done so far, and the sink rules report into.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migrate-guard/lint/lint.hpp"

namespace migrate_guard::lint::detail {

using json = nlohmann::json;

// ---- source.cpp: positions, comments and identifiers from PostgreSQL's own lexer -------------
struct Comment {
  std::size_t begin = 0;  // byte offsets into the file
  std::size_t end = 0;
  std::string text;       // without the `--` / `/* */` markers
};

// An identifier longer than PostgreSQL keeps (NAMEDATALEN - 1 = 63 bytes): the server truncates
// it with only a NOTICE.
struct LongIdentifier {
  std::size_t begin = 0;  // byte offset of the token (its opening quote when quoted)
  std::size_t bytes = 0;  // length of the name itself, quotes and doubled quotes undone
  std::string name;
};

// A byte range of the file; scan() narrows it to its first and last real token.
struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;
};

class Source {
 public:
  explicit Source(std::string text);
  const std::string& text() const { return text_; }
  const std::vector<Comment>& comments() const { return comments_; }
  const std::vector<LongIdentifier>& long_identifiers() const { return long_identifiers_; }
  int line_of(std::size_t offset) const;  // 1-based
  int col_of(std::size_t offset) const;   // 1-based, in characters (UTF-8 code points)
  // Lexes the file with libpg_query's pg_query_scan (a large file one statement at a time, so that
  // memory stays bounded by the largest statement): `statements` are the parser's ranges, in
  // order, each cut at token boundaries. Each range becomes [first token, end of last token) (comments, blanks and
  // `;` excluded); comments and long identifiers anywhere in the file are recorded.
  void scan(std::vector<Range>& statements);
  // Byte offset of the `cursor`-th character (1-based, as PostgreSQL reports error positions)
  // counted from byte `from`.
  std::size_t offset_of_char(std::size_t from, int cursor) const;

 private:
  // Lexes text[begin, end), which holds `count` statements (their raw ranges, in order).
  void scan_piece(std::size_t begin, std::size_t end, Range* statements, std::size_t count);
  std::string text_;
  std::vector<std::size_t> line_starts_;
  std::vector<Comment> comments_;
  std::vector<LongIdentifier> long_identifiers_;
};

// ---- parse.cpp: statements from libpg_query --------------------------------------------------
struct Statement {
  int index = 0;                // 0-based position in the file
  std::size_t begin = 0;        // first token (byte offset in the file)
  std::size_t end = 0;          // one past the last token (the `;` is not included)
  std::size_t node_base = 0;    // add to `location` fields of the node to get a file offset
  std::string kind;             // e.g. "AlterTableStmt"; empty for a syntax error
  json node;                    // the node's body (the object under `kind`)
  std::string error;            // syntax error message, when kind is empty
  std::size_t error_offset = 0; // byte offset of the syntax error in the file
};

struct Parsed {
  std::vector<Statement> statements;
  bool syntax_error = false;
};

Parsed parse(Source& source);  // also lexes the source (Source::scan)

// ---- what the file did before the statement being checked -----------------------------------
struct ColumnType {
  std::string name;           // last element of the type name, e.g. "varchar", "timestamp"
  std::vector<long> typmods;  // e.g. {255} for varchar(255); empty when unconstrained
  bool array = false;
  // In the history: the type itself, shared by every column of that type, so that a type rename
  // renames them all at once (PostgreSQL refers to a type by OID); its current name.
  std::shared_ptr<std::string> type;
  std::string current_name() const { return type ? *type : name; }
};

// What the migrations read so far did, across the files of lint_sequence (renames followed).
struct History {
  // Column types known from CREATE TABLE / ADD COLUMN / ALTER TYPE: lets varchar changes be judged
  // widening or narrowing, and an enum swap (Prisma's "_new" type dance) be seen as a change.
  std::map<std::string, std::map<std::string, ColumnType>> columns;
  std::map<std::string, std::shared_ptr<std::string>> types;  // by current name (ColumnType::type)
  std::map<std::string, int> created_in;           // table -> index of the file whose plain CREATE TABLE made it
  std::map<std::string, std::string> index_table;  // index -> its table (CREATE INDEX, constraints)
  std::vector<std::string> paths;                  // per file index
  std::vector<bool> linted;                        // per file index: MigrationFile::lint
  int file = 0;                                    // index of the file being linted
};

struct FileState {
  int statement_count = 0;                 // statements in the file (all of them)
  std::set<std::string> new_tables;        // created earlier in this file
  std::set<std::string> new_indexes;       // created earlier in this file
  std::set<std::string> new_views;         // created earlier in this file
  bool lock_timeout_set = false;           // a `SET lock_timeout` with a non-zero value ran
  bool lock_timeout_reported = false;      // require-lock-timeout reports once per file
  History* history = nullptr;              // never null while linting
};

// ---- rules report into a Sink ----------------------------------------------------------------
class Sink {
 public:
  Sink(const Source& source, const Statement& statement, std::vector<Finding>& out)
      : source_(source), statement_(statement), out_(out) {}
  // `location`: a `location` field of the node (relative to node_base), or nullopt for the
  // statement's start.
  // `table`: the table the finding concerns (a relation_name key), empty when none.
  void add(const std::string& rule, std::string message, std::string hint,
           std::optional<long> location = std::nullopt, const std::string& table = {});

 private:
  const Source& source_;
  const Statement& statement_;
  std::vector<Finding>& out_;
};

Severity severity_of(const std::string& rule);

// ---- node helpers (nodes.cpp) ----------------------------------------------------------------
// "schema.table", or "table" when the schema is the default one (Options::default_schema, set for
// the duration of a lint by DefaultSchema below): `public.t` and `t` are the same table.
std::string relation_name(const json& range_var);
// The key of relation_name qualified: "public.table".
std::string qualified(const std::string& key);
class DefaultSchema {
 public:
  explicit DefaultSchema(const std::string& schema);
  ~DefaultSchema();
  DefaultSchema(const DefaultSchema&) = delete;
  DefaultSchema& operator=(const DefaultSchema&) = delete;

 private:
  std::string previous_;
};
// A DropStmt object ({"List":{"items":[String...]}} or {"String":...}) as "schema.name" / "name".
std::string object_name(const json& object);
std::string str(const json& node, const char* key);  // "" when missing
bool flag(const json& node, const char* key);        // false when missing
long integer(const json& node, const char* key);     // 0 when missing (libpg_query omits zeros)
std::optional<long> location(const json& node);
const json& items(const json& node, const char* key);  // empty array when missing
// node[key], or null when node is not an object or has no such key: nlohmann's const operator[]
// on a missing key is undefined behaviour (a ColumnDef without typeName, as in `PARTITION OF
// parent (col WITH OPTIONS ...)`, read freed memory: found by lint_sql_fuzz).
const json& child(const json& node, const char* key);
ColumnType column_type(const json& type_name);
std::string type_text(const ColumnType& type);       // e.g. "varchar(255)"
// Constraints of a ColumnDef, each as the body of its "Constraint" node.
std::vector<const json*> constraints_of(const json& column_def);
// The names of all functions called anywhere in an expression (last element of funcname).
void called_functions(const json& expr, std::vector<std::string>& out);

// ---- rule families ---------------------------------------------------------------------------
void check_destructive(const Statement&, const FileState&, Sink&);
void check_locking(const Statement&, FileState&, Sink&);
void check_types(const Statement&, const FileState&, Sink&);
void check_transactions(const Statement&, const FileState&, Sink&);

// The strongest lock the statement takes on a table (or view) that existed before this file, when
// that lock blocks writes ("ACCESS EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE"), and on which
// relation; lock empty otherwise.
struct BlockingLock {
  std::string lock;
  std::string table;
};
BlockingLock blocking_lock(const Statement&, const FileState&);

}  // namespace migrate_guard::lint::detail
