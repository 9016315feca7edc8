-- AlterTable
ALTER TABLE "Mission" ADD COLUMN "approvalExpiresAt" DATETIME;
ALTER TABLE "Mission" ADD COLUMN "approvals" TEXT;
ALTER TABLE "Mission" ADD COLUMN "evidence" TEXT;
ALTER TABLE "Mission" ADD COLUMN "execution" TEXT;
ALTER TABLE "Mission" ADD COLUMN "plays" TEXT;
ALTER TABLE "Mission" ADD COLUMN "reflection" TEXT;

-- CreateTable
CREATE TABLE "MissionArtifact" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "missionId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "attachedAt" DATETIME NOT NULL,
    CONSTRAINT "MissionArtifact_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LibraryEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "missionId" TEXT NOT NULL,
    "playId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "rating" INTEGER NOT NULL,
    "reuseScore" REAL NOT NULL,
    "play" TEXT NOT NULL,
    "pinnedBy" TEXT NOT NULL,
    "pinnedAt" DATETIME NOT NULL,
    CONSTRAINT "LibraryEntry_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LibraryEntryTag" (
    "entryId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,

    PRIMARY KEY ("entryId", "tag"),
    CONSTRAINT "LibraryEntryTag_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "LibraryEntry" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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

