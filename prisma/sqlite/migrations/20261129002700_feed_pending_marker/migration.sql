-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_MissionFeedCursor" (
    "consumer" TEXT NOT NULL,
    "missionId" TEXT NOT NULL,
    "handledSeq" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "dead" BOOLEAN NOT NULL DEFAULT false,
    "lastError" TEXT,
    "leaseOwner" TEXT,
    "leaseUntil" BIGINT,
    "notBefore" BIGINT,
    "dueAt" BIGINT,
    "pendingSince" BIGINT,
    "quietUntil" BIGINT,
    "eventSeq" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("consumer", "missionId"),
    CONSTRAINT "MissionFeedCursor_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_MissionFeedCursor" ("attempts", "consumer", "dead", "handledSeq", "lastError", "leaseOwner", "leaseUntil", "missionId", "notBefore") SELECT "attempts", "consumer", "dead", "handledSeq", "lastError", "leaseOwner", "leaseUntil", "missionId", "notBefore" FROM "MissionFeedCursor";
DROP TABLE "MissionFeedCursor";
ALTER TABLE "new_MissionFeedCursor" RENAME TO "MissionFeedCursor";
CREATE INDEX "MissionFeedCursor_consumer_dead_idx" ON "MissionFeedCursor"("consumer", "dead");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- The pending marker: each cursor carries its mission's eventSeq, and "dueAt" is set while
-- there is something to deliver (0: at once), so claims and /metrics need no join or scan.
UPDATE "MissionFeedCursor" SET "eventSeq" = (SELECT m."eventSeq" FROM "Mission" m WHERE m."id" = "MissionFeedCursor"."missionId");
UPDATE "MissionFeedCursor" SET "pendingSince" = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE "eventSeq" > "handledSeq";
UPDATE "MissionFeedCursor" SET "dueAt" = MAX(COALESCE("notBefore", 0), COALESCE("leaseUntil", 0)) WHERE "eventSeq" > "handledSeq" AND "dead" = false;
-- Partial: only cursors with something due are in it, so its size follows the backlog, not the missions.
CREATE INDEX "MissionFeedCursor_due_idx" ON "MissionFeedCursor"("consumer", "dueAt", "pendingSince") WHERE "dueAt" IS NOT NULL;
