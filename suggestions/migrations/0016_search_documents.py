"""The public search document (suggestions/models/search.py), PostgreSQL only.

One row per suggestion holding the texts the public search matches — the current title and
body and the published text of its published replies — with the columns
`Suggestion.objects.public()` reads and the public list's sort key, under one trigram and one
bigram GIN index (the bigram function of 0003/0004). A public search is then one bitmap
index scan of one table, which gives the matching ids, whether each is public and its sort
key without looking the suggestions up (suggestions/search.py).

Triggers keep it: any insert, update or delete of a suggestion or a reply that changes what
the document holds rewrites that suggestion's document in the same transaction, whatever
wrote it (services, bulk updates, seeding, raw SQL), so a write is found by the very next
search. `refresh_search_documents` first takes the suggestion's row lock (FOR NO KEY UPDATE,
as `lock_suggestion` does, so inserted replies' key-share locks do not conflict), so that
two transactions writing one suggestion rewrite its document one after the other, each from
what the other committed. The reply condition is `ReplyQuerySet.published()`;
tests/test_search_documents.py checks every document against the ORM's definitions.
`manage.py rebuild_search_documents` rebuilds them all (`rebuild_search_documents()`).
On SQLite the table exists, stays empty and is not read.
"""

import django.db.models.deletion
from django.db import migrations, models

REFRESH = """
CREATE OR REPLACE FUNCTION refresh_search_documents(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM suggestions_suggestion WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM suggestions_searchdocument AS d
    WHERE d.suggestion_id = ANY(ids)
      AND NOT EXISTS (SELECT 1 FROM suggestions_suggestion AS s WHERE s.id = d.suggestion_id);
    INSERT INTO suggestions_searchdocument AS d
        (suggestion_id, state, withheld_reason, filed_on, text)
    SELECT s.id, s.state, s.withheld_reason, s.filed_on, search_document_text(s.id)
    FROM suggestions_suggestion AS s
    WHERE s.id = ANY(ids)
    ON CONFLICT (suggestion_id) DO UPDATE
    SET state = EXCLUDED.state, withheld_reason = EXCLUDED.withheld_reason,
        filed_on = EXCLUDED.filed_on, text = EXCLUDED.text;
END
$$
"""

TEXT = """
CREATE OR REPLACE FUNCTION search_document_text(suggestion bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT concat_ws(' ', s.title, s.body, (
        SELECT string_agg(r.public_text, ' ' ORDER BY r.id)
        FROM suggestions_reply AS r
        WHERE r.suggestion_id = s.id AND r.published_at IS NOT NULL AND NOT r.withheld
    ))
    FROM suggestions_suggestion AS s
    WHERE s.id = suggestion
$$
"""

REBUILD = """
CREATE OR REPLACE FUNCTION rebuild_search_documents() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    written bigint;
BEGIN
    -- Writers wait (readers do not) until the rebuild commits, so none is lost.
    LOCK TABLE suggestions_suggestion, suggestions_reply IN SHARE MODE;
    DELETE FROM suggestions_searchdocument;
    INSERT INTO suggestions_searchdocument
        (suggestion_id, state, withheld_reason, filed_on, text)
    SELECT s.id, s.state, s.withheld_reason, s.filed_on, concat_ws(' ', s.title, s.body, r.texts)
    FROM suggestions_suggestion AS s
    LEFT JOIN (
        SELECT suggestion_id, string_agg(public_text, ' ' ORDER BY id) AS texts
        FROM suggestions_reply
        WHERE published_at IS NOT NULL AND NOT withheld
        GROUP BY suggestion_id
    ) AS r ON r.suggestion_id = s.id;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$
"""

TRIGGERS = """
CREATE OR REPLACE FUNCTION search_documents_suggestion_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM refresh_search_documents(ARRAY[OLD.id]);
    ELSE
        PERFORM refresh_search_documents(ARRAY[NEW.id]);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_documents_reply_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM refresh_search_documents(ARRAY[OLD.suggestion_id]);
    ELSIF TG_OP = 'UPDATE' AND OLD.suggestion_id <> NEW.suggestion_id THEN
        PERFORM refresh_search_documents(ARRAY[OLD.suggestion_id, NEW.suggestion_id]);
    ELSE
        PERFORM refresh_search_documents(ARRAY[NEW.suggestion_id]);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER search_documents_suggestion_written
AFTER INSERT OR DELETE ON suggestions_suggestion
FOR EACH ROW EXECUTE FUNCTION search_documents_suggestion_changed();

CREATE TRIGGER search_documents_suggestion_updated
AFTER UPDATE ON suggestions_suggestion
FOR EACH ROW WHEN (
    OLD.title IS DISTINCT FROM NEW.title OR OLD.body IS DISTINCT FROM NEW.body
    OR OLD.state IS DISTINCT FROM NEW.state
    OR OLD.withheld_reason IS DISTINCT FROM NEW.withheld_reason
    OR OLD.filed_on IS DISTINCT FROM NEW.filed_on
) EXECUTE FUNCTION search_documents_suggestion_changed();

CREATE TRIGGER search_documents_reply_written
AFTER INSERT OR DELETE ON suggestions_reply
FOR EACH ROW EXECUTE FUNCTION search_documents_reply_changed();

CREATE TRIGGER search_documents_reply_updated
AFTER UPDATE ON suggestions_reply
FOR EACH ROW WHEN (
    OLD.public_text IS DISTINCT FROM NEW.public_text
    OR OLD.published_at IS DISTINCT FROM NEW.published_at
    OR OLD.withheld IS DISTINCT FROM NEW.withheld
    OR OLD.suggestion_id IS DISTINCT FROM NEW.suggestion_id
) EXECUTE FUNCTION search_documents_reply_changed();
"""

INDEXES = """
CREATE INDEX search_document_trgm ON suggestions_searchdocument USING gin (text gin_trgm_ops);
CREATE INDEX search_document_bigrams ON suggestions_searchdocument
    USING gin (suggestion_bigrams(text));
"""

DROP = """
DROP TRIGGER IF EXISTS search_documents_suggestion_written ON suggestions_suggestion;
DROP TRIGGER IF EXISTS search_documents_suggestion_updated ON suggestions_suggestion;
DROP TRIGGER IF EXISTS search_documents_reply_written ON suggestions_reply;
DROP TRIGGER IF EXISTS search_documents_reply_updated ON suggestions_reply;
DROP FUNCTION IF EXISTS search_documents_suggestion_changed();
DROP FUNCTION IF EXISTS search_documents_reply_changed();
DROP FUNCTION IF EXISTS rebuild_search_documents();
DROP FUNCTION IF EXISTS refresh_search_documents(bigint[]);
DROP FUNCTION IF EXISTS search_document_text(bigint);
"""


def create_search_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (TEXT, REFRESH, REBUILD, TRIGGERS):
        schema_editor.execute(statement)
    schema_editor.execute("SELECT rebuild_search_documents()")
    schema_editor.execute(INDEXES)


def drop_search_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)



class Migration(migrations.Migration):

    dependencies = [
        ('suggestions', '0015_deadline_clocks'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('suggestion', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='suggestions.suggestion')),
                ('state', models.CharField(max_length=50)),
                ('withheld_reason', models.CharField(blank=True, max_length=200)),
                ('filed_on', models.DateField(null=True)),
                ('text', models.TextField()),
            ],
            options={
                'verbose_name': '检索文档',
                'verbose_name_plural': '检索文档',
            },
        ),
        migrations.RunPython(create_search_documents, drop_search_documents),
    ]
