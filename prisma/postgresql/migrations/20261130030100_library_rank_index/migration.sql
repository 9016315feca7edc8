-- search_library reads each level of shared tags in rank order (reuse score, then the latest pin,
-- then id) and stops when its page is full.
-- DropIndex
DROP INDEX "LibraryEntry_reuseScore_pinnedAt_idx";

-- CreateIndex
CREATE INDEX "LibraryEntry_reuseScore_pinnedAt_id_idx" ON "LibraryEntry"("reuseScore" DESC, "pinnedAt" DESC, "id");
