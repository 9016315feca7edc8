-- CreateTable
CREATE TABLE "MissionTestRun" (
    "missionId" TEXT NOT NULL,
    "phaseId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "run" TEXT NOT NULL,

    CONSTRAINT "MissionTestRun_pkey" PRIMARY KEY ("missionId","phaseId","position")
);

-- AddForeignKey
ALTER TABLE "MissionTestRun" ADD CONSTRAINT "MissionTestRun_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

