-- CreateTable
CREATE TABLE "SlackMessage" (
    "missionId" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "ts" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("missionId", "surface"),
    CONSTRAINT "SlackMessage_missionId_fkey" FOREIGN KEY ("missionId") REFERENCES "Mission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
