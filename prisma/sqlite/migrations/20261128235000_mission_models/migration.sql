-- AlterTable
ALTER TABLE "Mission" ADD COLUMN "models" TEXT;

