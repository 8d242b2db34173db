SET lock_timeout = '5s';

ALTER TABLE "Article" ADD CONSTRAINT "Article_views_positive" CHECK ("views" >= 0);
