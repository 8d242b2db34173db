-- Release 1.5.0 adds ratings. Additive and nullable: release 1.4.1 keeps working against it, so a
-- rollback of the image needs no rollback of the schema.
SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "Place" ADD COLUMN "rating" INTEGER;
