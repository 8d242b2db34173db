SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "Article" ALTER COLUMN "views" SET DATA TYPE BIGINT;
