from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notes', '0002_alter_note_body'),
    ]

    operations = [
        migrations.AddField(
            model_name='note',
            name='word_count',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
    ]
