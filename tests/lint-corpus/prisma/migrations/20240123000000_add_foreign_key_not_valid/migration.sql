SET lock_timeout = '5s';

ALTER TABLE "Article" ADD CONSTRAINT "Article_reviewerId_fkey" FOREIGN KEY ("editorId") REFERENCES "User"("id") NOT VALID;
