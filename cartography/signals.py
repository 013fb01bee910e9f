"""What the cartography tells the apps above it (they connect in their AppConfig.ready())."""

from django.dispatch import Signal

# Clients' equipment changed (software, platforms, digital profile, or the readiness of a
# catalogue entry they use): firm (Firm or id), client_ids. Sent inside the transaction that
# changed it.
equipment_changed = Signal()
