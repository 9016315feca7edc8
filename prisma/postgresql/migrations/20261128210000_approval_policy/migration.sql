-- CreateTable
CREATE TABLE "ApprovalPolicy" (
    "workspaceId" TEXT NOT NULL,
    "policy" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT,

    CONSTRAINT "ApprovalPolicy_pkey" PRIMARY KEY ("workspaceId")
);

