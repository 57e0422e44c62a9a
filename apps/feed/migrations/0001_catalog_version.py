"""The catalog version: a number PostgreSQL raises when a transaction that changed anything the
feed shows commits, whoever wrote it (the admin, an import, psql, another application).

A statement trigger on each table the feed reads notes the transaction once, in
``feed_catalog_change``; a deferred constraint trigger on that table raises the version at
commit. So the version row is locked only while a transaction commits (never for its whole
length), and a reader never sees a new version before the data it stands for. Users matter
only for what outfits show of their creator: the username and the picture, not sign-ins.
"""

from django.db import migrations

FEED_TABLES = [
    "catalog_category",
    "catalog_coveragelevel",
    "catalog_product",
    "catalog_productvariant",
    "catalog_productimage",
    "outfits_outfit",
    "outfits_outfititem",
]

FORWARD = """
CREATE TABLE feed_catalog_version (
    id smallint PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL,
    changed_at timestamptz NOT NULL
);
INSERT INTO feed_catalog_version VALUES (1, 1, clock_timestamp());

CREATE TABLE feed_catalog_change (xact xid8 PRIMARY KEY);

CREATE FUNCTION feed_note_catalog_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feed_catalog_change (xact) VALUES (pg_current_xact_id())
        ON CONFLICT (xact) DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE FUNCTION feed_bump_catalog_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE feed_catalog_version SET version = version + 1, changed_at = clock_timestamp();
    DELETE FROM feed_catalog_change WHERE xact = NEW.xact;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER feed_catalog_version_bump
    AFTER INSERT ON feed_catalog_change
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION feed_bump_catalog_version();
""" + "".join(
    f"""
CREATE TRIGGER {table}_feed_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION feed_note_catalog_change();
"""
    for table in FEED_TABLES
) + """
CREATE TRIGGER users_user_feed_change
    AFTER UPDATE ON users_user
    FOR EACH ROW
    WHEN (OLD.username IS DISTINCT FROM NEW.username
          OR OLD.profile_picture IS DISTINCT FROM NEW.profile_picture)
    EXECUTE FUNCTION feed_note_catalog_change();
"""

BACKWARD = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_feed_change ON {table};\n" for table in FEED_TABLES)
    + """
DROP TRIGGER IF EXISTS users_user_feed_change ON users_user;
DROP TABLE IF EXISTS feed_catalog_change;
DROP TABLE IF EXISTS feed_catalog_version;
DROP FUNCTION IF EXISTS feed_note_catalog_change();
DROP FUNCTION IF EXISTS feed_bump_catalog_version();
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_product_description_limit"),
        ("outfits", "0002_initial"),
        ("users", "0002_image_upload_limits"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
