-- CreateTable
CREATE TABLE "MissionTestRun" (
    "missionId" TEXT NOT NULL,
    "phaseId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "run" TEXT NOT NULL,

    PRIMARY KEY ("missionId", "phaseId", "position"),
    CONSTRAINT "MissionTestRun_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

