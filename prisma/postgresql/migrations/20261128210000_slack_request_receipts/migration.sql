-- CreateTable
CREATE TABLE "SlackRequestReceipt" (
    "key" TEXT NOT NULL,
    "expiresAt" BIGINT NOT NULL,

    CONSTRAINT "SlackRequestReceipt_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "SlackRequestReceipt_expiresAt_idx" ON "SlackRequestReceipt"("expiresAt");

