from django.db import migrations
from django.utils import timezone


def create_row(apps, schema_editor):
    DataVersion = apps.get_model("occmaps", "DataVersion")
    DataVersion.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [("occmaps", "0002_data_version")]
    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
