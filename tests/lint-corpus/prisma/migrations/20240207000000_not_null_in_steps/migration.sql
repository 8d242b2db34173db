SET lock_timeout = '5s';

ALTER TABLE "Article" ADD CONSTRAINT "Article_content_not_null" CHECK ("content" IS NOT NULL) NOT VALID;
