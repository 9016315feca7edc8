-- The `executor` feed consumer (GitHub Actions dispatch). Missions that exist before it count as
-- handled: only missions approved from here on are dispatched, never old ones on upgrade.
INSERT INTO "MissionFeedCursor" ("consumer", "missionId", "handledSeq") SELECT 'executor', "id", "eventSeq" FROM "Mission";
