SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" RENAME COLUMN "nickname" TO "displayName";
