import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Before the first request: the views imported, the templates compiled, the heap frozen.
from config.warmup import warm_up  # noqa: E402 - needs the settings configured above

warm_up()
