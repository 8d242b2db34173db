-- CreateIndex
CREATE INDEX "Article_authorId_idx" ON "Article"("authorId");
