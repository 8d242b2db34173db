SET lock_timeout = '5s';

ALTER TABLE "User" ADD CONSTRAINT "User_apiToken_key" UNIQUE USING INDEX "User_apiToken_key";
