-- Cross-instance change notifications (src/storage/postgresMissionChanges.ts): every committed
-- write to a mission row NOTIFYs "mission_changed:<md5 of the schema>" with "<id> <version>".
-- PostgreSQL delivers a notification only when (and if) its transaction commits, once per
-- distinct payload, so a save that lost its version race (no row updated) tells nobody. The
-- schema is in the channel because NOTIFY is database-wide and several schemas may share one
-- database; hashed, because a channel name longer than 63 bytes would fail every save.
CREATE FUNCTION "mission_changed_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mission_changed:' || md5(TG_TABLE_SCHEMA), NEW."id" || ' ' || NEW."version");
    RETURN NULL;
END
$$;

CREATE TRIGGER "Mission_changed_notify" AFTER INSERT OR UPDATE ON "Mission" FOR EACH ROW EXECUTE FUNCTION "mission_changed_notify"();
