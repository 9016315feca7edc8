-- DropIndex
DROP INDEX "Mission_state_idx";

-- DropIndex
DROP INDEX "Mission_requesterId_idx";

-- DropIndex
DROP INDEX "Mission_updatedAt_idx";

-- CreateIndex
CREATE INDEX "Mission_state_updatedAt_id_idx" ON "Mission"("state", "updatedAt", "id");

-- CreateIndex
CREATE INDEX "Mission_requesterId_updatedAt_id_idx" ON "Mission"("requesterId", "updatedAt", "id");

-- CreateIndex
CREATE INDEX "Mission_updatedAt_id_idx" ON "Mission"("updatedAt", "id");

-- CreateIndex
CREATE INDEX "Mission_channelId_idx" ON "Mission"("channelId");

-- CreateIndex
CREATE INDEX "LibraryEntry_reuseScore_pinnedAt_idx" ON "LibraryEntry"("reuseScore", "pinnedAt");


-- Text filters (list_missions, search_library) are ILIKE '%…%' substring matches with % _ \
-- escaped; pg_trgm's GIN indexes serve them. The extension goes into "public" unless it is
-- already installed elsewhere; the indexes name its operator class by the schema it is in, so
-- they work whatever schema this database's tables live in. Without pg_trgm (a server that
-- refuses the extension) the filters still work, by scanning.
DO $$
DECLARE trgm_schema text;
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm is not available (%); text filters will scan', SQLERRM;
  END;
  SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NOT NULL THEN
    EXECUTE format('CREATE INDEX "Mission_title_trgm_idx" ON "Mission" USING GIN ("title" %I.gin_trgm_ops)', trgm_schema);
    EXECUTE format('CREATE INDEX "Mission_intent_trgm_idx" ON "Mission" USING GIN ("intent" %I.gin_trgm_ops)', trgm_schema);
    EXECUTE format('CREATE INDEX "LibraryEntry_title_trgm_idx" ON "LibraryEntry" USING GIN ("title" %I.gin_trgm_ops)', trgm_schema);
    EXECUTE format('CREATE INDEX "LibraryEntry_note_trgm_idx" ON "LibraryEntry" USING GIN ("note" %I.gin_trgm_ops)', trgm_schema);
  END IF;
END $$;
