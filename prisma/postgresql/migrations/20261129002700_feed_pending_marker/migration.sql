-- AlterTable
ALTER TABLE "MissionFeedCursor" ADD COLUMN     "dueAt" BIGINT,
ADD COLUMN     "eventSeq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "pendingSince" BIGINT,
ADD COLUMN     "quietUntil" BIGINT;


-- The pending marker: each cursor carries its mission's eventSeq, and "dueAt" is set while
-- there is something to deliver (0: at once), so claims and /metrics need no join or scan.
UPDATE "MissionFeedCursor" c SET "eventSeq" = m."eventSeq" FROM "Mission" m WHERE m."id" = c."missionId";
UPDATE "MissionFeedCursor" SET "pendingSince" = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT) WHERE "eventSeq" > "handledSeq";
UPDATE "MissionFeedCursor" SET "dueAt" = GREATEST(COALESCE("notBefore", 0), COALESCE("leaseUntil", 0)) WHERE "eventSeq" > "handledSeq" AND "dead" = false;
-- Partial: only cursors with something due are in it, so its size follows the backlog, not the missions.
CREATE INDEX "MissionFeedCursor_due_idx" ON "MissionFeedCursor"("consumer", "dueAt", "pendingSince") WHERE "dueAt" IS NOT NULL;
