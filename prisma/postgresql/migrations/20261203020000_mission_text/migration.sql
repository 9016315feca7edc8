-- Text filters (list_missions) search "MissionText", a copy of each mission's title and intent
-- kept by triggers, instead of trigram indexes on "Mission" itself. Every report's save sets
-- "updatedAt", which other indexes hold, so PostgreSQL writes a new entry into every index of
-- "Mission" on every save: the two GIN indexes took the trigrams of the title and the intent
-- again each time (about half a millisecond of a report's save, for text that had not changed).
-- "MissionText" changes only when a title or intent does, as SQLite's FTS table of the same
-- name does (migration 20261129002700). No foreign key: the triggers keep it, so a bulk copy of
-- missions (the benchmark seeder copies every table that references "Mission") fills it once.
CREATE TABLE "MissionText" (
    "missionId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "intent" TEXT NOT NULL,

    CONSTRAINT "MissionText_pkey" PRIMARY KEY ("missionId")
);

-- Inserts once per statement from its transition table, so a bulk copy costs one insert.
CREATE FUNCTION "mission_text_inserted"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO "MissionText" ("missionId", "title", "intent") SELECT "id", "title", "intent" FROM inserted;
    RETURN NULL;
END
$$;

CREATE FUNCTION "mission_text_updated"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE "MissionText" SET "title" = NEW."title", "intent" = NEW."intent" WHERE "missionId" = NEW."id";
    RETURN NULL;
END
$$;

CREATE FUNCTION "mission_text_deleted"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM "MissionText" WHERE "missionId" IN (SELECT "id" FROM deleted);
    RETURN NULL;
END
$$;

-- Locks "Mission" against writes until this migration commits, so the fill below misses nothing.
CREATE TRIGGER "Mission_text_insert" AFTER INSERT ON "Mission" REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION "mission_text_inserted"();
-- The WHEN clause keeps the saves that leave title and intent alone (every report) from calling it at all.
CREATE TRIGGER "Mission_text_update" AFTER UPDATE OF "title", "intent" ON "Mission"
    FOR EACH ROW WHEN (OLD."title" IS DISTINCT FROM NEW."title" OR OLD."intent" IS DISTINCT FROM NEW."intent")
    EXECUTE FUNCTION "mission_text_updated"();
CREATE TRIGGER "Mission_text_delete" AFTER DELETE ON "Mission" REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION "mission_text_deleted"();

INSERT INTO "MissionText" ("missionId", "title", "intent") SELECT "id", "title", "intent" FROM "Mission";

DROP INDEX IF EXISTS "Mission_title_trgm_idx";
DROP INDEX IF EXISTS "Mission_intent_trgm_idx";

-- The same indexes on the copy (pg_trgm's schema named as in 20261129002700; without the
-- extension the filters still work, by scanning).
DO $$
DECLARE trgm_schema text;
BEGIN
  SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NOT NULL THEN
    EXECUTE format('CREATE INDEX "MissionText_title_trgm_idx" ON "MissionText" USING GIN ("title" %I.gin_trgm_ops)', trgm_schema);
    EXECUTE format('CREATE INDEX "MissionText_intent_trgm_idx" ON "MissionText" USING GIN ("intent" %I.gin_trgm_ops)', trgm_schema);
  END IF;
END $$;
