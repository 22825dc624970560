"""Settings for the test suite: the same module, with WSPOLNOTA_ENV=test defaults."""

import os

os.environ.setdefault("WSPOLNOTA_ENV", "test")

from wspolnota.settings import *  # noqa: F403
