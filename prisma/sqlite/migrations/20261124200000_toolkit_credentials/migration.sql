-- CreateTable
CREATE TABLE "ToolkitCredential" (
    "workspaceId" TEXT NOT NULL,
    "toolkitId" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "iv" TEXT NOT NULL,
    "authTag" TEXT NOT NULL,
    "scopes" TEXT,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "validatedAt" DATETIME,

    PRIMARY KEY ("workspaceId", "toolkitId")
);
