SET lock_timeout = '5s';

-- DropIndex
DROP INDEX "Article_authorId_idx";
