-- AlterTable
ALTER TABLE "User" ADD COLUMN     "telegramMovedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "DeletedClerkUser" (
    "clerkId" TEXT NOT NULL,
    "deletedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeletedClerkUser_pkey" PRIMARY KEY ("clerkId")
);

