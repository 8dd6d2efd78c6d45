-- DropIndex
DROP INDEX "MediaAsset_userId_idx";

-- CreateIndex
CREATE INDEX "MediaAsset_userId_url_idx" ON "MediaAsset"("userId", "url");

