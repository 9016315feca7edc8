-- CreateTable
CREATE TABLE "GitHubWebhookDelivery" (
    "deliveryId" TEXT NOT NULL PRIMARY KEY,
    "event" TEXT NOT NULL,
    "receivedAt" BIGINT NOT NULL
);

-- CreateIndex
CREATE INDEX "GitHubWebhookDelivery_receivedAt_idx" ON "GitHubWebhookDelivery"("receivedAt");

