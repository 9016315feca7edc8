-- CreateTable
CREATE TABLE "SlackRequestReceipt" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" BIGINT NOT NULL
);

-- CreateIndex
CREATE INDEX "SlackRequestReceipt_expiresAt_idx" ON "SlackRequestReceipt"("expiresAt");

