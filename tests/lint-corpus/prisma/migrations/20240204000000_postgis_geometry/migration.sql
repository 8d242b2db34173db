SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "Article" ADD COLUMN     "location" geometry(Point, 4326);

-- CreateTable
CREATE TABLE "Place" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "area" geometry(Polygon, 4326) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Place_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Place_area_idx" ON "Place" USING GIST ("area");
