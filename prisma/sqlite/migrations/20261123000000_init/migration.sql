-- CreateTable
CREATE TABLE "Mission" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "intent" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "requesterKind" TEXT NOT NULL,
    "requesterId" TEXT NOT NULL,
    "requester" TEXT NOT NULL,
    "channelId" TEXT,
    "threadTs" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "eventSeq" INTEGER NOT NULL DEFAULT 0,
    "headHash" TEXT NOT NULL,
    "brief" TEXT NOT NULL,
    "coverage" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "briefLockedAt" DATETIME
);

-- CreateTable
CREATE TABLE "MissionEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "missionId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "actorKind" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    "payload" TEXT NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    CONSTRAINT "MissionEvent_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MissionToolkit" (
    "missionId" TEXT NOT NULL,
    "toolkitId" TEXT NOT NULL,
    "recommended" BOOLEAN NOT NULL,
    "selected" BOOLEAN NOT NULL,
    "authStatus" TEXT NOT NULL,
    "rationale" TEXT NOT NULL,
    "confidence" REAL NOT NULL,
    "precedentCount" INTEGER NOT NULL,

    PRIMARY KEY ("missionId", "toolkitId"),
    CONSTRAINT "MissionToolkit_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MissionTag" (
    "missionId" TEXT NOT NULL,
    "tag" TEXT NOT NULL,

    PRIMARY KEY ("missionId", "tag"),
    CONSTRAINT "MissionTag_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Mission_state_idx" ON "Mission"("state");

-- CreateIndex
CREATE INDEX "Mission_requesterId_idx" ON "Mission"("requesterId");

-- CreateIndex
CREATE INDEX "Mission_updatedAt_idx" ON "Mission"("updatedAt");

-- CreateIndex
CREATE INDEX "MissionEvent_type_idx" ON "MissionEvent"("type");

-- CreateIndex
CREATE UNIQUE INDEX "MissionEvent_missionId_seq_key" ON "MissionEvent"("missionId", "seq");

-- CreateIndex
CREATE INDEX "MissionToolkit_toolkitId_selected_idx" ON "MissionToolkit"("toolkitId", "selected");

-- CreateIndex
CREATE INDEX "MissionTag_tag_idx" ON "MissionTag"("tag");

