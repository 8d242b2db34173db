-- AlterTable
ALTER TABLE "Article" ALTER COLUMN "published" SET DEFAULT true;

-- AlterTable
ALTER TABLE "User" ALTER COLUMN "score" DROP DEFAULT;
