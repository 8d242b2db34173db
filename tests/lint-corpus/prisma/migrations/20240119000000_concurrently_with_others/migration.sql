SET lock_timeout = '5s';

-- CreateIndex
CREATE INDEX CONCURRENTLY "User_role_idx" ON "User"("role");
