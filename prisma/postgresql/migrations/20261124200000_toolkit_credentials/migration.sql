-- CreateTable
CREATE TABLE "ToolkitCredential" (
    "workspaceId" TEXT NOT NULL,
    "toolkitId" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "iv" TEXT NOT NULL,
    "authTag" TEXT NOT NULL,
    "scopes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "validatedAt" TIMESTAMP(3),

    CONSTRAINT "ToolkitCredential_pkey" PRIMARY KEY ("workspaceId","toolkitId")
);
