/*
  Warnings:

  - You are about to drop the column `avatarUrl` on the `User` table. All the data in the column will be lost.

*/
SET lock_timeout = '5s';

-- AlterTable
ALTER TABLE "User" DROP COLUMN "avatarUrl";
