#!/usr/bin/env bash
# migrate-guard's FROM scratch image, run exactly as a GitHub runner runs a container action
# (INPUT_* variables, the workspace at /github/workspace, output and summary files mounted),
# against a PostgreSQL 15 + PostGIS on 127.0.0.1 (the container shares the host network).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/run-image-test.sh"
BIN=${YONIMA_BIN:-$YIT_REPO/build/bin}

# A PostgreSQL cluster with one empty database; the helper prints its URL and runs until stdin closes.
info=$(mktemp)
exec 3> >(PYTHONPATH="$YIT_REPO/tests/support" python3 -c '
import sys
from postgres import Postgres
pg = Postgres(password="container-pw-7")
try:
    print(pg.create_database("app"), flush=True)
    sys.stdin.read()
finally:
    pg.stop()
' > "$info")
trap 'exec 3>&-; yit_cleanup; rm -rf "$workspace" "$info"' EXIT
for _ in $(seq 1 300); do [ -s "$info" ] && break; sleep 0.1; done
read -r url < "$info"
[ -n "${url:-}" ] || { echo "FAIL: PostgreSQL helper did not start"; exit 1; }

workspace=$(mktemp -d)
chmod 755 "$workspace"
m=$workspace/prisma/migrations
mkdir -p "$m/20240101000000_init" "$m/20240102000000_index"
printf 'provider = "postgresql"\n' > "$m/migration_lock.toml"
printf 'CREATE TABLE "Place" ("id" SERIAL PRIMARY KEY, "at" geometry(Point, 4326));\n' > "$m/20240101000000_init/migration.sql"
printf 'CREATE INDEX "Place_at_idx" ON "Place" USING GIST ("at");\n' > "$m/20240102000000_index/migration.sql"
export YIT_WORKSPACE_DIR=$workspace

yit_build_image migrate-guard "$BIN/migrate-guard" || exit 1

# lint: the second migration builds an index on an existing table without CONCURRENTLY.
yit_run_action "$YIT_IMAGE" -e "$(yit_input command lint)" --
[ "$YIT_STATUS" -eq 1 ] || { echo "FAIL: lint: expected exit 1, got $YIT_STATUS"; cat "$YIT_STDERR"; exit 1; }
grep -q '::error file=prisma/migrations/20240102000000_index/migration.sql,line=1' "$YIT_STDOUT" "$YIT_STDERR" ||
  { echo "FAIL: lint: no annotation on the index migration"; cat "$YIT_STDOUT" "$YIT_STDERR"; exit 1; }
yit_assert_output errors 1 || exit 1

# deploy with the linter's finding suppressed by the input; PostGIS created first.
yit_run_action "$YIT_IMAGE" -e "$(yit_input command deploy)" -e "$(yit_input require-extension postgis)" \
  -e "$(yit_input disable-rule require-concurrent-index-creation)" -e "DATABASE_URL=$url" --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: deploy: exit $YIT_STATUS"; cat "$YIT_STDERR"; exit 1; }
yit_assert_output applied-count 2 || exit 1
yit_assert_output created-extensions postgis || exit 1
yit_assert_summary_contains "20240102000000_index" || exit 1
if grep -q "container-pw-7" "$YIT_SUMMARY" "$YIT_OUTPUT" || grep -v '^::add-mask::' "$YIT_STDERR" "$YIT_STDOUT" | grep -q "container-pw-7"; then
  echo "FAIL: the database password reached the logs, outputs or summary"; exit 1
fi

yit_run_action "$YIT_IMAGE" -e "$(yit_input command status)" -e "DATABASE_URL=$url" --
[ "$YIT_STATUS" -eq 0 ] || { echo "FAIL: status: exit $YIT_STATUS"; exit 1; }
yit_assert_output up-to-date true || exit 1

# A pooler URL inside the container: exit 2, nothing changed.
yit_run_action "$YIT_IMAGE" -e "$(yit_input command deploy)" -e "DATABASE_URL=${url}?pgbouncer=true" --
[ "$YIT_STATUS" -eq 2 ] || { echo "FAIL: pooler URL: expected exit 2, got $YIT_STATUS"; exit 1; }
echo "PASS: migrate-guard image runs as a container action"
