-- AlterTable
ALTER TABLE "ToolkitCredential" ADD COLUMN "keyId" TEXT;

