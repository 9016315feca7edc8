-- list_missions' text filter newest first at any size (SQLite). MissionText's rowid becomes the
-- mission's updatedAt in milliseconds times 2^20, plus a number telling apart missions saved in
-- the same millisecond; FTS5 returns matches in rowid order, so the newest matches of any word,
-- common or rare, are `ORDER BY rowid DESC LIMIT n`, and a page after a cursor adds
-- `rowid < <cursor's millisecond> * 2^20`. Every change of updatedAt (every save) moves the row,
-- and the triggers find a mission's row by its rowid range, so missionId needs no index of its own.
-- Milliseconds from updatedAt as Prisma stores it (text, '2026-11-29T06:43:41.117+00:00'), or
-- from an integer (milliseconds), exactly in integers.
DROP TRIGGER "Mission_text_insert";
DROP TRIGGER "Mission_text_update";
DROP TRIGGER "Mission_text_delete";
DROP TABLE "MissionText";

CREATE VIRTUAL TABLE "MissionText" USING fts5("missionId" UNINDEXED, "title", "intent", tokenize = 'trigram');

INSERT INTO "MissionText" ("rowid", "missionId", "title", "intent")
SELECT "ms" * 1048576 + ROW_NUMBER() OVER (PARTITION BY "ms" ORDER BY "id") - 1, "id", "title", "intent"
FROM (
  SELECT CASE typeof("updatedAt") WHEN 'integer' THEN "updatedAt"
    ELSE CAST(strftime('%s', "updatedAt") AS INTEGER) * 1000 + CAST(substr(strftime('%f', "updatedAt"), 4, 3) AS INTEGER) END AS "ms",
    "id", "title", "intent"
  FROM "Mission"
);

CREATE TRIGGER "Mission_text_insert" AFTER INSERT ON "Mission" BEGIN
  INSERT INTO "MissionText" ("rowid", "missionId", "title", "intent")
  SELECT coalesce((SELECT "rowid" FROM "MissionText" WHERE "rowid" BETWEEN "block" AND "block" + 1048575 ORDER BY "rowid" DESC LIMIT 1) + 1, "block"), new."id", new."title", new."intent"
  FROM (SELECT (CASE typeof(new."updatedAt") WHEN 'integer' THEN new."updatedAt"
    ELSE CAST(strftime('%s', new."updatedAt") AS INTEGER) * 1000 + CAST(substr(strftime('%f', new."updatedAt"), 4, 3) AS INTEGER) END) * 1048576 AS "block");
END;

CREATE TRIGGER "Mission_text_update" AFTER UPDATE OF "title", "intent", "updatedAt" ON "Mission"
WHEN old."title" IS NOT new."title" OR old."intent" IS NOT new."intent" OR old."updatedAt" IS NOT new."updatedAt" BEGIN
  DELETE FROM "MissionText" WHERE "rowid" IN (
    SELECT "rowid" FROM "MissionText", (SELECT (CASE typeof(old."updatedAt") WHEN 'integer' THEN old."updatedAt"
      ELSE CAST(strftime('%s', old."updatedAt") AS INTEGER) * 1000 + CAST(substr(strftime('%f', old."updatedAt"), 4, 3) AS INTEGER) END) * 1048576 AS "block")
    WHERE "rowid" BETWEEN "block" AND "block" + 1048575 AND "missionId" = old."id");
  INSERT INTO "MissionText" ("rowid", "missionId", "title", "intent")
  SELECT coalesce((SELECT "rowid" FROM "MissionText" WHERE "rowid" BETWEEN "block" AND "block" + 1048575 ORDER BY "rowid" DESC LIMIT 1) + 1, "block"), new."id", new."title", new."intent"
  FROM (SELECT (CASE typeof(new."updatedAt") WHEN 'integer' THEN new."updatedAt"
    ELSE CAST(strftime('%s', new."updatedAt") AS INTEGER) * 1000 + CAST(substr(strftime('%f', new."updatedAt"), 4, 3) AS INTEGER) END) * 1048576 AS "block");
END;

CREATE TRIGGER "Mission_text_delete" AFTER DELETE ON "Mission" BEGIN
  DELETE FROM "MissionText" WHERE "rowid" IN (
    SELECT "rowid" FROM "MissionText", (SELECT (CASE typeof(old."updatedAt") WHEN 'integer' THEN old."updatedAt"
      ELSE CAST(strftime('%s', old."updatedAt") AS INTEGER) * 1000 + CAST(substr(strftime('%f', old."updatedAt"), 4, 3) AS INTEGER) END) * 1048576 AS "block")
    WHERE "rowid" BETWEEN "block" AND "block" + 1048575 AND "missionId" = old."id");
END;
