-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "images" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "llmCostMicroUsd" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "voiceChars" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Job_userId_status_finishedAt_idx" ON "Job"("userId", "status", "finishedAt");

