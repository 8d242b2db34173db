SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "Post" RENAME TO "Article";

-- AlterTable
ALTER TABLE "Article" RENAME CONSTRAINT "Post_pkey" TO "Article_pkey";
