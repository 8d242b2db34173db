// A migration file is sent as one query, which PostgreSQL runs as one implicit transaction: that
// is what makes a failed migration leave nothing behind. Explicit transaction control breaks it.
#include "internal.hpp"

namespace migrate_guard::lint::detail {

void check_transactions(const Statement& st, const FileState& state, Sink& sink) {
  if (st.kind != "TransactionStmt") return;
  std::string kind = str(st.node, "kind");
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
    sink.add("transaction-nesting",
             "BEGIN inside a migration: the file already runs as one transaction, and a COMMIT in it makes the part before "
             "it permanent even when a later statement fails.",
             "Remove BEGIN/COMMIT: the whole file is applied atomically already (Prisma's enum migrations: delete the "
             "BEGIN; and COMMIT; lines).");
  } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_PREPARE" ||
             kind == "TRANS_STMT_COMMIT_PREPARED" || kind == "TRANS_STMT_ROLLBACK_PREPARED") {
    sink.add("transaction-nesting",
             "COMMIT/ROLLBACK inside a migration ends the transaction the file runs in: statements before it stay applied "
             "if a later one fails, leaving the migration half done.",
             "Remove the transaction control statements: the whole file is applied atomically already.");
  }
}

}  // namespace migrate_guard::lint::detail
