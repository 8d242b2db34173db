SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "apiToken" UUID NOT NULL DEFAULT gen_random_uuid();
