-- MissionText rows move only when their mission's updatedAt enters another minute (SQLite).
-- Migration 20261130030000 keyed each row by updatedAt's millisecond, so every save (every report)
-- deleted and re-inserted the mission's FTS row: about 13 of the 30 pages a report's commit wrote
-- to the WAL, and about half its statement time. The rowid is now updatedAt's minute (Unix time /
-- 60) times 2^20, plus a number telling apart rows that entered that minute, so a mission an
-- assistant reports on many times a minute keeps its row. list_missions' text filter still takes
-- the newest matches by rowid and re-checks the two minutes at a page's edges row by row, so the
-- order stays exactly (updatedAt, id). Minutes from updatedAt as Prisma stores it (text,
-- '2026-11-29T06:43:41.117+00:00'), or from an integer (milliseconds).
DROP TRIGGER "Mission_text_insert";
DROP TRIGGER "Mission_text_update";
DROP TRIGGER "Mission_text_delete";
DELETE FROM "MissionText";

INSERT INTO "MissionText" ("rowid", "missionId", "title", "intent")
SELECT "minute" * 1048576 + ROW_NUMBER() OVER (PARTITION BY "minute" ORDER BY "id") - 1, "id", "title", "intent"
FROM (SELECT (CASE typeof("updatedAt") WHEN 'integer' THEN "updatedAt" / 60000 ELSE CAST(strftime('%s', "updatedAt") AS INTEGER) / 60 END) AS "minute", "id", "title", "intent" FROM "Mission");

CREATE TRIGGER "Mission_text_insert" AFTER INSERT ON "Mission" BEGIN
  INSERT INTO "MissionText" ("rowid", "missionId", "title", "intent")
  SELECT coalesce((SELECT "rowid" FROM "MissionText" WHERE "rowid" BETWEEN "block" AND "block" + 1048575 ORDER BY "rowid" DESC LIMIT 1) + 1, "block"), new."id", new."title", new."intent"
  FROM (SELECT (CASE typeof(new."updatedAt") WHEN 'integer' THEN new."updatedAt" / 60000 ELSE CAST(strftime('%s', new."updatedAt") AS INTEGER) / 60 END) * 1048576 AS "block");
END;

CREATE TRIGGER "Mission_text_update" AFTER UPDATE OF "title", "intent", "updatedAt" ON "Mission"
WHEN old."title" IS NOT new."title" OR old."intent" IS NOT new."intent"
  OR (CASE typeof(old."updatedAt") WHEN 'integer' THEN old."updatedAt" / 60000 ELSE CAST(strftime('%s', old."updatedAt") AS INTEGER) / 60 END) IS NOT (CASE typeof(new."updatedAt") WHEN 'integer' THEN new."updatedAt" / 60000 ELSE CAST(strftime('%s', new."updatedAt") AS INTEGER) / 60 END) BEGIN
  DELETE FROM "MissionText" WHERE "rowid" IN (
    SELECT "rowid" FROM "MissionText", (SELECT (CASE typeof(old."updatedAt") WHEN 'integer' THEN old."updatedAt" / 60000 ELSE CAST(strftime('%s', old."updatedAt") AS INTEGER) / 60 END) * 1048576 AS "block")
    WHERE "rowid" BETWEEN "block" AND "block" + 1048575 AND "missionId" = old."id");
  INSERT INTO "MissionText" ("rowid", "missionId", "title", "intent")
  SELECT coalesce((SELECT "rowid" FROM "MissionText" WHERE "rowid" BETWEEN "block" AND "block" + 1048575 ORDER BY "rowid" DESC LIMIT 1) + 1, "block"), new."id", new."title", new."intent"
  FROM (SELECT (CASE typeof(new."updatedAt") WHEN 'integer' THEN new."updatedAt" / 60000 ELSE CAST(strftime('%s', new."updatedAt") AS INTEGER) / 60 END) * 1048576 AS "block");
END;

CREATE TRIGGER "Mission_text_delete" AFTER DELETE ON "Mission" BEGIN
  DELETE FROM "MissionText" WHERE "rowid" IN (
    SELECT "rowid" FROM "MissionText", (SELECT (CASE typeof(old."updatedAt") WHEN 'integer' THEN old."updatedAt" / 60000 ELSE CAST(strftime('%s', old."updatedAt") AS INTEGER) / 60 END) * 1048576 AS "block")
    WHERE "rowid" BETWEEN "block" AND "block" + 1048575 AND "missionId" = old."id");
END;
