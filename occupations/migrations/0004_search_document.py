from django.db import migrations, models

from core import pgsearch, textsearch


def fill_documents(apps, schema_editor):
    Occupation = apps.get_model("occupations", "Occupation")
    rows = list(Occupation.objects.only("pk", "title", "search_text"))
    for row in rows:
        row.search_document = textsearch.document(row.title, row.search_text)
    Occupation.objects.bulk_update(rows, ["search_document"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("occupations", "0003_progression_added_by_staff_localedit"),
    ]

    operations = [
        migrations.AddField(
            model_name="occupation",
            name="search_document",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
        pgsearch.trigram_extension(),
        # The search page: every query word is a LIKE on the document.
        pgsearch.trigram_index(
            "occupations_occupation", "search_document", "occupation_search_trgm_idx"
        ),
    ]
