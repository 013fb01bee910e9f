"""Signals of the outbox, for the apps that send through it (the invoicing records each
message's delivery status and history)."""

from django.dispatch import Signal

# Sent on every change of a message's state, its creation included (previous_state None), in
# the transaction that made it: ``sender`` is OutboxMessage, with ``message`` (as it now is) and
# ``previous_state``. A receiver that raises is logged and its writes undone; the change stays.
message_state_changed = Signal()
