-- CreateTable
CREATE TABLE "MissionChainCheckpoint" (
    "missionId" TEXT NOT NULL,
    "eventSeq" INTEGER NOT NULL,
    "headHash" TEXT NOT NULL,
    "sealedBundleHash" TEXT,
    "verifiedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MissionChainCheckpoint_pkey" PRIMARY KEY ("missionId")
);

