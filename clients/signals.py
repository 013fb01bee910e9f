"""What the clients app tells the apps above it (they connect in their AppConfig.ready())."""

from django.dispatch import Signal

# New clients were written: firm (Firm or id), client_ids. Sent inside the creating
# transaction, so synchronous receivers (the scoring) write in the same transaction, and right
# after the clients themselves: nothing else is recorded for them yet (the scoring gives them
# the score of a blank input without reading anything).
clients_created = Signal()
