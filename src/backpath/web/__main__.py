"""``python -m backpath.web <command>``: Django's manage.py for BackPath."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpath.web.settings")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
