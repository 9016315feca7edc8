-- AlterTable
ALTER TABLE "Mission" ADD COLUMN     "approvalExpiresAt" TIMESTAMP(3),
ADD COLUMN     "approvals" TEXT,
ADD COLUMN     "evidence" TEXT,
ADD COLUMN     "execution" TEXT,
ADD COLUMN     "plays" TEXT,
ADD COLUMN     "reflection" TEXT;

-- CreateTable
CREATE TABLE "MissionArtifact" (
    "id" TEXT NOT NULL,
    "missionId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "attachedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MissionArtifact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LibraryEntry" (
    "id" TEXT NOT NULL,
    "missionId" TEXT NOT NULL,
    "playId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "rating" INTEGER NOT NULL,
    "reuseScore" DOUBLE PRECISION NOT NULL,
    "play" TEXT NOT NULL,
    "pinnedBy" TEXT NOT NULL,
    "pinnedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LibraryEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LibraryEntryTag" (
    "entryId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,

    CONSTRAINT "LibraryEntryTag_pkey" PRIMARY KEY ("entryId","tag")
);

-- CreateIndex
CREATE INDEX "MissionArtifact_missionId_idx" ON "MissionArtifact"("missionId");

-- CreateIndex
CREATE UNIQUE INDEX "LibraryEntry_missionId_key" ON "LibraryEntry"("missionId");

-- CreateIndex
CREATE INDEX "LibraryEntry_pinnedAt_idx" ON "LibraryEntry"("pinnedAt");

-- CreateIndex
CREATE INDEX "LibraryEntryTag_tag_idx" ON "LibraryEntryTag"("tag");

-- CreateIndex
CREATE INDEX "Mission_approvalExpiresAt_idx" ON "Mission"("approvalExpiresAt");

-- AddForeignKey
ALTER TABLE "MissionArtifact" ADD CONSTRAINT "MissionArtifact_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LibraryEntry" ADD CONSTRAINT "LibraryEntry_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LibraryEntryTag" ADD CONSTRAINT "LibraryEntryTag_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "LibraryEntry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

