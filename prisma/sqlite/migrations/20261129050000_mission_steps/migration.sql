-- CreateTable
CREATE TABLE "MissionStep" (
    "missionId" TEXT NOT NULL,
    "phaseId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "step" TEXT NOT NULL,

    PRIMARY KEY ("missionId", "phaseId", "position"),
    CONSTRAINT "MissionStep_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

