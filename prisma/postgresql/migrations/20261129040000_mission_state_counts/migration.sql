-- CreateTable
CREATE TABLE "MissionStateCount" (
    "state" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "MissionStateCount_pkey" PRIMARY KEY ("state")
);

-- Missions per state, kept by triggers in the transaction of every write to "Mission" (the
-- service's saves, Prisma's, and SQL copies such as the benchmark seeder), so /metrics reads a
-- few rows instead of counting missions. Creating the triggers locks "Mission" against writes
-- until this migration commits, so the fill below and the triggers miss nothing between them.
--
-- Each counter changes by `n = n + delta` under its row lock, so concurrent saves never lose a
-- count; the rows a change touches are taken in state order, so two saves moving missions in
-- opposite directions (a -> b, b -> a) cannot deadlock. SET search_path FROM CURRENT pins the
-- migration's schema, whatever the writing session's search_path.
CREATE FUNCTION "mission_state_counted"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO "MissionStateCount" AS c ("state", "n")
    SELECT d."state", sum(d."delta") FROM (
        SELECT NEW."state" AS "state", 1 AS "delta" WHERE TG_OP IN ('INSERT', 'UPDATE')
        UNION ALL
        SELECT OLD."state", -1 WHERE TG_OP IN ('UPDATE', 'DELETE')
    ) d
    GROUP BY d."state"
    ORDER BY d."state"
    ON CONFLICT ("state") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
    RETURN NULL;
END
$$;

-- Inserts are counted once per statement from its transition table, so a bulk copy (the
-- benchmark seeder's 100,000 missions) costs one upsert per state instead of one per row.
CREATE FUNCTION "mission_state_inserted"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO "MissionStateCount" AS c ("state", "n")
    SELECT "state", count(*) FROM inserted GROUP BY "state" ORDER BY "state"
    ON CONFLICT ("state") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
    RETURN NULL;
END
$$;

CREATE TRIGGER "Mission_state_count_insert" AFTER INSERT ON "Mission" REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION "mission_state_inserted"();
-- State changes and deletes are deferred to commit: the counter rows are locked only while the
-- transaction commits, and the WHEN clause keeps the saves that leave the state alone (nearly
-- every report) from calling the function at all.
CREATE CONSTRAINT TRIGGER "Mission_state_count_update" AFTER UPDATE OF "state" ON "Mission" DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD."state" IS DISTINCT FROM NEW."state") EXECUTE FUNCTION "mission_state_counted"();
CREATE CONSTRAINT TRIGGER "Mission_state_count_delete" AFTER DELETE ON "Mission" DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION "mission_state_counted"();

INSERT INTO "MissionStateCount" ("state", "n") SELECT "state", count(*) FROM "Mission" GROUP BY "state";
