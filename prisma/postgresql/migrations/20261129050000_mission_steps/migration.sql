-- CreateTable
CREATE TABLE "MissionStep" (
    "missionId" TEXT NOT NULL,
    "phaseId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "step" TEXT NOT NULL,

    CONSTRAINT "MissionStep_pkey" PRIMARY KEY ("missionId","phaseId","position")
);

-- AddForeignKey
ALTER TABLE "MissionStep" ADD CONSTRAINT "MissionStep_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

