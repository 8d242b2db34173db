SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "Article" ALTER COLUMN "content" DROP NOT NULL;
