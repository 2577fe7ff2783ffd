"""``python -m hpguide`` runs the command-line interface."""

from .cli.main import run

run()
