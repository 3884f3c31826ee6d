"""The `shuniu` command: Django's management commands with Shuniu's settings.

shuniu demo [--scale S] [--seed N] [--no-serve]   build the demo city (and serve it)
shuniu serve [--port P]                            serve an existing database
shuniu coverage --as-of 2015-06-30 --by district   print a coverage table
shuniu import FILE --kind organizations [--dry-run] import a spreadsheet (organizations, hubs or links)
shuniu export organizations --format xlsx          export a list or the coverage tables
shuniu user create NAME --role district-office --area 朝阳区   a user with a role (shuniu user roles lists them)
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuniu.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shuniu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
