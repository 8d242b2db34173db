SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" ADD COLUMN "phone" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN "country" TEXT NOT NULL DEFALT 'NL';
