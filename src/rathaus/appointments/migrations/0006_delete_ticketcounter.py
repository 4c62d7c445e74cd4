from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("appointments", "0005_ticket_counters_to_sequences")]

    operations = [migrations.DeleteModel(name="TicketCounter")]
