-- AlterTable: the headline digest of what each Slack message last showed (progress-only changes are edited less often)
ALTER TABLE "SlackMessage" ADD COLUMN "headlineHash" TEXT NOT NULL DEFAULT '';
