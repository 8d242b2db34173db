SET lock_timeout = '5s';

CREATE TABLE IF NOT EXISTS "Legacy" ("code" TEXT);

ALTER TABLE "AuditLog" ADD COLUMN "id" SERIAL PRIMARY KEY;
