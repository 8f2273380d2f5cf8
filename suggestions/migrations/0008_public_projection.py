"""`Reply.public_text`: the text of a published reply as the public reads it, which the public
search matches instead of the raw text (suggestions/search.py, suggestions/public_projection.py).

Existing published, not withheld replies get their public text here, with the same pure
function the services use. On PostgreSQL the column gets the trigram and bigram GIN indexes
its raw-text twin has (migrations 0002 and 0003); elsewhere nothing more is done.
"""

from django.db import migrations, models

# name, SQL of the index (PostgreSQL only)
INDEXES = [
    (
        "reply_public_text_trgm",
        'CREATE INDEX IF NOT EXISTS "reply_public_text_trgm" ON "suggestions_reply" '
        'USING gin ("public_text" gin_trgm_ops)',
    ),
    (
        "reply_public_text_bigrams",
        'CREATE INDEX IF NOT EXISTS "reply_public_text_bigrams" ON "suggestions_reply" '
        'USING gin (suggestion_bigrams("public_text"))',
    ),
]


def fill_public_texts(apps, schema_editor):
    from suggestions.public_projection.replies import searchable_reply_text

    Reply = apps.get_model("suggestions", "Reply")
    replies = (
        Reply.objects.using(schema_editor.connection.alias)
        .filter(published_at__isnull=False, withheld=False)
        .select_related("suggestion__lead_deputy__person")
        .prefetch_related("suggestion__cosignatures__deputy__person")
    )
    changed = []
    for reply in replies.iterator(chunk_size=500):
        suggestion = reply.suggestion
        persons = [suggestion.lead_deputy.person]
        persons += [c.deputy.person for c in suggestion.cosignatures.all()]
        private_values = [
            value for p in persons for value in (p.phone, p.address, p.email) if value
        ]
        reply.public_text = searchable_reply_text(reply.text, reply.redactions, private_values)
        changed.append(reply)
    Reply.objects.using(schema_editor.connection.alias).bulk_update(
        changed, ["public_text"], batch_size=500
    )


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _name, sql in INDEXES:
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0005_history_protected"),
    ]

    operations = [
        migrations.AddField(
            model_name="reply",
            name="public_text",
            field=models.TextField(
                blank=True,
                editable=False,
                max_length=50000,
                help_text="公开后的答复文本（已删除标记段落和联系方式），公开搜索只查此文本",
                verbose_name="公开文本",
            ),
        ),
        migrations.RunPython(fill_public_texts, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
