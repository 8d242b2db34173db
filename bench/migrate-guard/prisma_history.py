#!/usr/bin/env python3
"""Writes a realistic Prisma migrations history (what `prisma migrate dev` produces over the life of
a project) for the lint benchmark: hundreds of migrations that create tables with many columns,
indexes and foreign keys, add required columns, drop and rename columns, remove enum values with
Prisma's `_new` type dance (BEGIN/COMMIT included), change types, add unique constraints and the
odd hand-written data fix. Deterministic (seeded). Most files have findings, as real histories do.

    python3 bench/migrate-guard/prisma_history.py OUT_DIR [--migrations 600]
"""
import argparse
import datetime
import os
import random

TYPES = ["TEXT", "INTEGER", "BOOLEAN", "TIMESTAMP(3)", "DOUBLE PRECISION", "VARCHAR(255)", "JSONB", "BIGINT",
         "DECIMAL(65,30)", "TEXT[]"]
WORDS = ["name", "title", "status", "amount", "count", "slug", "email", "phone", "city", "region", "note", "label",
         "price", "weight", "score", "rank", "code", "locale", "currency", "source", "channel", "kind", "level"]


START = datetime.datetime(2022, 1, 3, 9, 0, 0)


class History:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.tables = {}   # name -> {column: type}
        self.enums = {}    # name -> [values]
        self.n = 0

    def word(self):
        self.n += 1
        return "%s%d" % (self.r.choice(WORDS), self.n)

    def column(self, t=None):
        t = t or self.r.choice(TYPES)
        nn = " NOT NULL" if self.r.random() < 0.5 else ""
        default = ""
        if t == "BOOLEAN" and nn:
            default = " DEFAULT false"
        elif t == "TIMESTAMP(3)" and nn:
            default = " DEFAULT CURRENT_TIMESTAMP"
        return t, nn + default

    def create_table(self):
        name = "T%s" % self.word().capitalize()
        cols = {"id": "TEXT"}
        lines = ['    "id" TEXT NOT NULL,']
        for _ in range(self.r.randint(4, 14)):
            c = self.word()
            t, extra = self.column()
            cols[c] = t
            lines.append('    "%s" %s%s,' % (c, t, extra))
        if self.enums and self.r.random() < 0.4:
            e = self.r.choice(sorted(self.enums))
            cols["kind"] = e
            lines.append('    "kind" "%s" NOT NULL DEFAULT \'%s\',' % (e, self.enums[e][0]))
        lines.append('    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,')
        lines.append('    "updatedAt" TIMESTAMP(3) NOT NULL,')
        sql = ["-- CreateTable", 'CREATE TABLE "%s" (\n%s\n\n    CONSTRAINT "%s_pkey" PRIMARY KEY ("id")\n);' %
               (name, "\n".join(lines), name)]
        for c in self.r.sample(sorted(cols), min(2, len(cols))):
            if c == "id":
                continue
            sql += ["", "-- CreateIndex", 'CREATE INDEX "%s_%s_idx" ON "%s"("%s");' % (name, c, name, c)]
        if self.tables and self.r.random() < 0.8:
            other = self.r.choice(sorted(self.tables))
            fk = "%sId" % other[1:].lower()
            sql[1] = sql[1].replace('    "createdAt"', '    "%s" TEXT NOT NULL,\n    "createdAt"' % fk)
            sql += ["", "-- AddForeignKey",
                    'ALTER TABLE "%s" ADD CONSTRAINT "%s_%s_fkey" FOREIGN KEY ("%s") REFERENCES "%s"("id") '
                    'ON DELETE RESTRICT ON UPDATE CASCADE;' % (name, name, fk, fk, other)]
            cols[fk] = "TEXT"
        self.tables[name] = cols
        return sql

    def create_enum(self):
        name = "E%s" % self.word().capitalize()
        self.enums[name] = ["A%d" % i for i in range(self.r.randint(3, 6))]
        return ["-- CreateEnum", 'CREATE TYPE "%s" AS ENUM (%s);' % (name, ", ".join("'%s'" % v for v in self.enums[name]))]

    def enum_dance(self):
        candidates = [(t, c, e) for t, cols in sorted(self.tables.items()) for c, e in sorted(cols.items())
                      if e in self.enums and len(self.enums[e]) > 2]
        if not candidates:
            return self.create_enum()
        table, column, e = self.r.choice(candidates)
        self.enums[e] = self.enums[e][:-1]
        values = ", ".join("'%s'" % v for v in self.enums[e])
        return ["/*", "  Warnings:", "", "  - The values [%s] on the enum `%s` will be removed." % ("X", e), "*/",
                "-- AlterEnum", "BEGIN;",
                'CREATE TYPE "%s_new" AS ENUM (%s);' % (e, values),
                'ALTER TABLE "%s" ALTER COLUMN "%s" DROP DEFAULT;' % (table, column),
                'ALTER TABLE "%s" ALTER COLUMN "%s" TYPE "%s_new" USING ("%s"::text::"%s_new");' % (table, column, e, column, e),
                'ALTER TYPE "%s" RENAME TO "%s_old";' % (e, e),
                'ALTER TYPE "%s_new" RENAME TO "%s";' % (e, e),
                'DROP TYPE "%s_old";' % e,
                'ALTER TABLE "%s" ALTER COLUMN "%s" SET DEFAULT \'%s\';' % (table, column, self.enums[e][0]),
                "COMMIT;"]

    def alter(self):
        table = self.r.choice(sorted(self.tables))
        cols = self.tables[table]
        kind = self.r.random()
        if kind < 0.35:
            c = self.word()
            t, extra = self.column()
            cols[c] = t
            return ["-- AlterTable", 'ALTER TABLE "%s" ADD COLUMN "%s" %s%s;' % (table, c, t, extra)]
        if kind < 0.5:
            victims = [c for c in sorted(cols) if c not in ("id", "createdAt", "updatedAt")]
            if not victims:
                return self.create_table()
            c = self.r.choice(victims)
            del cols[c]
            return ["/*", "  Warnings:", "", "  - You are about to drop the column `%s` on the `%s` table, all the "
                    "data in the column will be lost." % (c, table), "", "*/", "-- AlterTable",
                    'ALTER TABLE "%s" DROP COLUMN "%s";' % (table, c)]
        if kind < 0.6:
            c = self.r.choice(sorted(cols))
            new = self.word()
            cols[new] = cols.pop(c)
            return ["-- AlterTable", 'ALTER TABLE "%s" RENAME COLUMN "%s" TO "%s";' % (table, c, new)]
        if kind < 0.7:
            varchars = [c for c, t in sorted(cols.items()) if t.startswith("VARCHAR")]
            if varchars:
                c = self.r.choice(varchars)
                cols[c] = "VARCHAR(%d)" % self.r.choice([100, 191, 500, 1000])
                return ["-- AlterTable", 'ALTER TABLE "%s" ALTER COLUMN "%s" SET DATA TYPE %s;' % (table, c, cols[c])]
            c = self.r.choice(sorted(cols))
            return ["-- AlterTable", 'ALTER TABLE "%s" ALTER COLUMN "%s" SET NOT NULL;' % (table, c)]
        if kind < 0.8:
            c = self.r.choice(sorted(cols))
            return ["-- CreateIndex", 'CREATE UNIQUE INDEX "%s_%s_key" ON "%s"("%s");' % (table, c, table, c)]
        if kind < 0.88:
            c = self.r.choice(sorted(cols))
            return ["-- AlterTable", 'ALTER TABLE "%s" ALTER COLUMN "%s" DROP NOT NULL;' % (table, c)]
        if kind < 0.94:
            # A hand-written data fix, as real histories have.
            c = self.r.choice(sorted(cols))
            return ["-- Backfill", "UPDATE \"%s\" SET \"updatedAt\" = now() WHERE \"%s\" IS NULL;" % (table, c),
                    "INSERT INTO \"_Audit\" (\"table\", \"note\") VALUES ('%s', 'backfilled %s');" % (table, c)]
        return ["CREATE OR REPLACE FUNCTION \"touch_%s\"() RETURNS trigger AS $$\nBEGIN\n  NEW.\"updatedAt\" = now(); -- keep it fresh\n"
                "  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;" % table.lower(),
                'CREATE TRIGGER "%s_touch" BEFORE UPDATE ON "%s" FOR EACH ROW EXECUTE FUNCTION "touch_%s"();'
                % (table.lower(), table, table.lower())]

    def migration(self, i):
        if i == 0:
            parts = [self.create_enum(), self.create_enum()] + [self.create_table() for _ in range(6)]
            parts.append(['CREATE TABLE "_Audit" ("table" TEXT NOT NULL, "note" TEXT);'])
        else:
            parts = []
            for _ in range(self.r.choice([1, 1, 2, 3, 4, 6])):
                k = self.r.random()
                parts.append(self.create_table() if k < 0.25 else self.enum_dance() if k < 0.33
                             else self.create_enum() if k < 0.36 else self.alter())
        return "\n\n".join("\n".join(p) for p in parts) + "\n"


def write(out, migrations, seed=20241128):
    h = History(seed)
    os.makedirs(out, exist_ok=True)
    paths = []
    for i in range(migrations):
        name = "%s_m%d" % ((START + datetime.timedelta(hours=7 * i)).strftime("%Y%m%d%H%M%S"), i)
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "migration.sql")
        with open(path, "w", encoding="utf-8") as f:
            f.write(h.migration(i))
        paths.append(path)
    with open(os.path.join(out, "migration_lock.toml"), "w") as f:
        f.write('# Please do not edit this file manually\nprovider = "postgresql"\n')
    return sorted(paths)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--migrations", type=int, default=600)
    a = ap.parse_args()
    print("%d migrations in %s" % (len(write(a.out, a.migrations)), a.out))
