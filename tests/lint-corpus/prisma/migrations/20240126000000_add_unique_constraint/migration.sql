SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" ADD CONSTRAINT "User_displayName_key" UNIQUE ("displayName");
