"""What the mandates tell the apps above them (they connect in their AppConfig.ready())."""

from django.dispatch import Signal

# Mandates of these clients changed status (generated, signed, refused…): firm, client_ids.
# Sent inside the transaction of the change, so the score follows at once.
mandate_status_changed = Signal()
