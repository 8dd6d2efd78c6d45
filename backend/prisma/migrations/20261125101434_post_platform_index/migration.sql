-- CreateIndex
CREATE INDEX "Post_userId_platform_idx" ON "Post"("userId", "platform");

