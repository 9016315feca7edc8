-- The worker that saved a mission last (or claimed it last) delivers its next change first; the
-- others leave it to that worker for a moment, so instances do not race for every delivery.
ALTER TABLE "MissionFeedCursor" ADD COLUMN "preferredOwner" TEXT;
