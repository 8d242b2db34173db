ALTER TABLE "Article" VALIDATE CONSTRAINT "Article_reviewerId_fkey";
