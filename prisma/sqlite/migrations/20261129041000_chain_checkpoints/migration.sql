-- CreateTable
CREATE TABLE "MissionChainCheckpoint" (
    "missionId" TEXT NOT NULL PRIMARY KEY,
    "eventSeq" INTEGER NOT NULL,
    "headHash" TEXT NOT NULL,
    "sealedBundleHash" TEXT,
    "verifiedAt" DATETIME NOT NULL
);

