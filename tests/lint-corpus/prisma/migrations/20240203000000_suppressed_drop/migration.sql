SET lock_timeout = '5s';

-- migrate-guard-ignore: ban-drop-column the column was unused since release 2024.02 (PR #412)
ALTER TABLE "User" DROP COLUMN "phone";
