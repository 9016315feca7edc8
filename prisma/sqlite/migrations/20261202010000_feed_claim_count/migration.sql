-- Counts each cursor's claims, so a consumer can tell that no other worker handled a mission
-- since its own last delivery and reuse what it remembers of it (the Slack projector's records).
ALTER TABLE "MissionFeedCursor" ADD COLUMN "claims" INTEGER NOT NULL DEFAULT 0;
