-- CreateTable
CREATE TABLE "ApprovalPolicy" (
    "workspaceId" TEXT NOT NULL PRIMARY KEY,
    "policy" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT
);

