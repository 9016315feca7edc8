-- AlterTable
ALTER TABLE "MissionArtifact" ADD COLUMN     "position" INTEGER,
ADD COLUMN     "record" TEXT;

-- CreateIndex
CREATE INDEX "MissionArtifact_missionId_position_idx" ON "MissionArtifact"("missionId", "position");

