SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "nickname" TEXT;
