"""Old import path of :mod:`hpguide.discover.schedules`, kept because users call ``hpguide.schedules.get``."""

from .discover.schedules import *  # noqa: F403
from .discover.schedules import __all__  # noqa: F401
