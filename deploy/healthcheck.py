"""The compose file's health check: asks the web container's /health/ and exits 0 when the named
checks are ok (all of them when none is named), 1 otherwise. Standard library only.

    python deploy/healthcheck.py [--url http://web:8000/health/] [database] [worker] …
"""

import json
import os
import sys
import urllib.error
import urllib.request


def main(argv: list[str]) -> int:
    url = "http://127.0.0.1:8000/health/"
    if argv[:1] == ["--url"]:
        url, argv = argv[1], argv[2:]
    if not url.startswith(("http://", "https://")):
        print("health: the URL must be http(s)", file=sys.stderr)
        return 2
    # Django answers only the hosts it serves: ask as the first of them.
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
    headers = {"Host": host, "X-Forwarded-Proto": "https"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http(s) only, checked)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (checked above)
            body = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as error:
        print(f"health: {error}", file=sys.stderr)
        return 1
    wanted = argv or list(body["checks"])
    failing = [name for name in wanted if body["checks"].get(name, {}).get("state") != "ok"]
    if failing:
        print("failing: " + ", ".join(failing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
