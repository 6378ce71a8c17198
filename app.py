"""Entry point for `flask --app app …` and WSGI servers.

A setting the app refuses (production secrets, a changed email hash key) stops it with one
line saying what to fix, not a traceback.
"""

import sys

from consent import create_app
from consent.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:
    sys.exit(f"consent: {error}")
