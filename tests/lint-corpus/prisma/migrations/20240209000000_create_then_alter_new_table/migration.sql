-- CreateTable
CREATE TABLE "Comment" (
    "id" BIGSERIAL NOT NULL,
    "body" TEXT NOT NULL,
    "articleId" INTEGER NOT NULL,

    CONSTRAINT "Comment_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "Comment" ADD COLUMN "authorId" INTEGER NOT NULL,
ADD COLUMN "uid" UUID NOT NULL DEFAULT gen_random_uuid();

-- CreateIndex
CREATE INDEX "Comment_articleId_idx" ON "Comment"("articleId");

-- AddForeignKey
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Comment" ALTER COLUMN "body" SET DATA TYPE VARCHAR(2000);
