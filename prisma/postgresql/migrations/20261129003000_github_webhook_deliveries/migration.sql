-- CreateTable
CREATE TABLE "GitHubWebhookDelivery" (
    "deliveryId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "receivedAt" BIGINT NOT NULL,

    CONSTRAINT "GitHubWebhookDelivery_pkey" PRIMARY KEY ("deliveryId")
);

-- CreateIndex
CREATE INDEX "GitHubWebhookDelivery_receivedAt_idx" ON "GitHubWebhookDelivery"("receivedAt");

