-- CreateTable
CREATE TABLE "MissionFeedCursor" (
    "consumer" TEXT NOT NULL,
    "missionId" TEXT NOT NULL,
    "handledSeq" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "dead" BOOLEAN NOT NULL DEFAULT false,
    "lastError" TEXT,
    "leaseOwner" TEXT,
    "leaseUntil" BIGINT,
    "notBefore" BIGINT,

    CONSTRAINT "MissionFeedCursor_pkey" PRIMARY KEY ("consumer","missionId")
);

-- CreateIndex
CREATE INDEX "MissionFeedCursor_consumer_dead_idx" ON "MissionFeedCursor"("consumer", "dead");

-- AddForeignKey
ALTER TABLE "MissionFeedCursor" ADD CONSTRAINT "MissionFeedCursor_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission"("id") ON DELETE CASCADE ON UPDATE CASCADE;



-- Missions that exist before the feed count as delivered: consumers start from here on.
INSERT INTO "MissionFeedCursor" ("consumer", "missionId", "handledSeq") SELECT 'slack', "id", "eventSeq" FROM "Mission";
INSERT INTO "MissionFeedCursor" ("consumer", "missionId", "handledSeq") SELECT 'trackers', "id", "eventSeq" FROM "Mission";
