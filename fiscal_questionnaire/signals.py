"""What the questionnaire tells the apps above it (they connect in their AppConfig.ready())."""

from django.dispatch import Signal

# A client's derived obligations changed (or were cleared): firm (Firm or id), client_ids.
# Sent inside the transaction that changed them, so the score never disagrees with them.
obligations_changed = Signal()
