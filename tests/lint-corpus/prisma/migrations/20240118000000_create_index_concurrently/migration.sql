-- CreateIndex
CREATE INDEX CONCURRENTLY IF NOT EXISTS "Article_published_idx" ON "Article"("published");
