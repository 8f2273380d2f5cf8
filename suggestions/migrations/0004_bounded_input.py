"""Bounded input: length limits on the free texts and sane ranges on the dates users enter
(suggestions/limits.py), and a linear-time `suggestion_bigrams` (PostgreSQL only).

The bigram function of 0003 took ``substr(upper($1), i, 2)`` for every position i. On
multibyte text each substr walks the string from its start, so one call is quadratic in the
text's length: a 32,000-character body took about 29 s to index and a 1 MB body over ten
minutes, holding the inserting transaction (and its locks) all that time. The replacement
splits the text into characters once and pairs each with the one before it (``lag``), which
is linear and returns the same array: the distinct bigrams of ``upper(text)``, sorted. The
three bigram indexes are rebuilt with it (identical output makes this a formality, but an
index must never depend on a function that changed without a rebuild).
"""

import suggestions.limits
from django.db import migrations, models

LINEAR_BIGRAMS = """
CREATE OR REPLACE FUNCTION suggestion_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT pair), '{}')
    FROM (
        SELECT lag(ch) OVER (ORDER BY i) || ch AS pair
        FROM unnest(string_to_array(upper($1), NULL)) WITH ORDINALITY AS chars(ch, i)
    ) AS pairs
    WHERE pair IS NOT NULL
$$
"""

# The definition of 0003, restored when this migration is reversed.
QUADRATIC_BIGRAMS = """
CREATE OR REPLACE FUNCTION suggestion_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT substr(upper($1), i, 2)), '{}')
    FROM generate_series(1, char_length($1) - 1) AS i
$$
"""

BIGRAM_INDEXES = ("suggestion_text_bigrams", "version_text_bigrams", "reply_text_bigrams")


def _replace_bigrams(definition):
    def replace(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(definition)
        for name in BIGRAM_INDEXES:
            schema_editor.execute(f'REINDEX INDEX "{name}"')

    return replace


class Migration(migrations.Migration):

    dependencies = [
        ('suggestions', '0003_search_bigrams'),
    ]

    operations = [
        migrations.AlterField(
            model_name='assignment',
            name='assigned_on',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=True)], verbose_name='交办日期'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='extension_reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='延期理由'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='return_reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='退办理由'),
        ),
        migrations.AlterField(
            model_name='citizenopinion',
            name='date',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=True)], verbose_name='日期'),
        ),
        migrations.AlterField(
            model_name='citizenopinion',
            name='summary',
            field=models.TextField(max_length=10000, verbose_name='意见内容'),
        ),
        migrations.AlterField(
            model_name='cohandlingopinion',
            name='text',
            field=models.TextField(max_length=20000, verbose_name='协办意见'),
        ),
        migrations.AlterField(
            model_name='contactrecord',
            name='contacted_on',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=True)], verbose_name='日期'),
        ),
        migrations.AlterField(
            model_name='contactrecord',
            name='notes',
            field=models.TextField(blank=True, max_length=10000, verbose_name='情况'),
        ),
        migrations.AlterField(
            model_name='evaluation',
            name='comment',
            field=models.TextField(blank=True, max_length=2000, verbose_name='意见'),
        ),
        migrations.AlterField(
            model_name='event',
            name='date',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=True)], verbose_name='日期'),
        ),
        migrations.AlterField(
            model_name='followupreview',
            name='date',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=True)], verbose_name='日期'),
        ),
        migrations.AlterField(
            model_name='followupreview',
            name='due_on',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=False)], verbose_name='计划完成日期'),
        ),
        migrations.AlterField(
            model_name='followupreview',
            name='findings',
            field=models.TextField(blank=True, max_length=10000, verbose_name='落实情况'),
        ),
        migrations.AlterField(
            model_name='outcome',
            name='date',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=True)], verbose_name='日期'),
        ),
        migrations.AlterField(
            model_name='outcome',
            name='description',
            field=models.TextField(blank=True, max_length=10000, verbose_name='内容'),
        ),
        migrations.AlterField(
            model_name='reply',
            name='redactions',
            field=models.TextField(blank=True, help_text='每行一段；公开文本中这些段落将被删除', max_length=50000, verbose_name='公开时删除的段落'),
        ),
        migrations.AlterField(
            model_name='reply',
            name='text',
            field=models.TextField(max_length=50000, verbose_name='答复内容'),
        ),
        migrations.AlterField(
            model_name='sourcearticle',
            name='published_on',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=True)], verbose_name='刊发日期'),
        ),
        migrations.AlterField(
            model_name='suggestion',
            name='body',
            field=models.TextField(blank=True, max_length=50000, verbose_name='正文'),
        ),
        migrations.AlterField(
            model_name='suggestion',
            name='filed_on',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=True)], verbose_name='提出日期'),
        ),
        migrations.AlterField(
            model_name='suggestionlink',
            name='note',
            field=models.TextField(blank=True, max_length=10000, verbose_name='说明'),
        ),
        migrations.AlterField(
            model_name='supervisionactivity',
            name='date',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=True)], verbose_name='日期'),
        ),
        migrations.AlterField(
            model_name='supervisionactivity',
            name='description',
            field=models.TextField(blank=True, max_length=10000, verbose_name='情况'),
        ),
        migrations.AlterField(
            model_name='supervisionplan',
            name='deadline',
            field=models.DateField(blank=True, null=True, validators=[suggestions.limits.DateRangeValidator(past_act=False)], verbose_name='办结时限'),
        ),
        migrations.AlterField(
            model_name='supervisionplan',
            name='notes',
            field=models.TextField(blank=True, max_length=10000, verbose_name='说明'),
        ),
        migrations.AlterField(
            model_name='version',
            name='body',
            field=models.TextField(blank=True, max_length=50000, verbose_name='正文'),
        ),
        migrations.AlterField(
            model_name='version',
            name='reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='修改原因'),
        ),
        migrations.RunPython(_replace_bigrams(LINEAR_BIGRAMS), _replace_bigrams(QUADRATIC_BIGRAMS)),
    ]
