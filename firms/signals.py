"""What the firms app tells the apps above it (they connect in their AppConfig.ready())."""

from django.dispatch import Signal

# A firm was created (firms.services.create_firm): firm. Sent inside the creating transaction.
firm_created = Signal()
