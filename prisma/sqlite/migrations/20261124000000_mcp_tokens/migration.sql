-- CreateTable
CREATE TABLE "McpToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "onBehalfOf" TEXT,
    "createdAt" DATETIME NOT NULL,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "McpToken_name_key" ON "McpToken"("name");

-- CreateIndex
CREATE UNIQUE INDEX "McpToken_secretHash_key" ON "McpToken"("secretHash");

