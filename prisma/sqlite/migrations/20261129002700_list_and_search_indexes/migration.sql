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


-- Text filters (list_missions, search_library) as substring matches through FTS5 trigram
-- indexes: a quoted phrase of 3+ characters matches rows holding it anywhere, case folded,
-- with % _ \ as plain characters. Kept in sync by triggers, so no save path writes them. The
-- id column is indexed too, so the triggers find a row's entry without a scan (rowids of a
-- table without an INTEGER PRIMARY KEY may change on VACUUM, so they are not the key).
CREATE VIRTUAL TABLE "MissionText" USING fts5("missionId", "title", "intent", tokenize = 'trigram');
INSERT INTO "MissionText" ("missionId", "title", "intent") SELECT "id", "title", "intent" FROM "Mission";

CREATE TRIGGER "Mission_text_insert" AFTER INSERT ON "Mission" BEGIN
  INSERT INTO "MissionText" ("missionId", "title", "intent") VALUES (new."id", new."title", new."intent");
END;

CREATE TRIGGER "Mission_text_update" AFTER UPDATE OF "title", "intent" ON "Mission"
WHEN old."title" IS NOT new."title" OR old."intent" IS NOT new."intent" BEGIN
  DELETE FROM "MissionText" WHERE "rowid" IN (SELECT "rowid" FROM "MissionText" WHERE "MissionText" MATCH 'missionId : "' || replace(old."id", '"', '""') || '"') AND "missionId" = old."id";
  INSERT INTO "MissionText" ("missionId", "title", "intent") VALUES (new."id", new."title", new."intent");
END;

CREATE TRIGGER "Mission_text_delete" AFTER DELETE ON "Mission" BEGIN
  DELETE FROM "MissionText" WHERE "rowid" IN (SELECT "rowid" FROM "MissionText" WHERE "MissionText" MATCH 'missionId : "' || replace(old."id", '"', '""') || '"') AND "missionId" = old."id";
END;

CREATE VIRTUAL TABLE "LibraryText" USING fts5("entryId", "title", "note", tokenize = 'trigram');
INSERT INTO "LibraryText" ("entryId", "title", "note") SELECT "id", "title", "note" FROM "LibraryEntry";

CREATE TRIGGER "LibraryEntry_text_insert" AFTER INSERT ON "LibraryEntry" BEGIN
  INSERT INTO "LibraryText" ("entryId", "title", "note") VALUES (new."id", new."title", new."note");
END;

CREATE TRIGGER "LibraryEntry_text_update" AFTER UPDATE OF "title", "note" ON "LibraryEntry"
WHEN old."title" IS NOT new."title" OR old."note" IS NOT new."note" BEGIN
  DELETE FROM "LibraryText" WHERE "rowid" IN (SELECT "rowid" FROM "LibraryText" WHERE "LibraryText" MATCH 'entryId : "' || replace(old."id", '"', '""') || '"') AND "entryId" = old."id";
  INSERT INTO "LibraryText" ("entryId", "title", "note") VALUES (new."id", new."title", new."note");
END;

CREATE TRIGGER "LibraryEntry_text_delete" AFTER DELETE ON "LibraryEntry" BEGIN
  DELETE FROM "LibraryText" WHERE "rowid" IN (SELECT "rowid" FROM "LibraryText" WHERE "LibraryText" MATCH 'entryId : "' || replace(old."id", '"', '""') || '"') AND "entryId" = old."id";
END;
