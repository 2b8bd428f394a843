"""``python -m pipelines.lib.release.schema --ddl | --snapshot``: print the generated DDL or schema snapshot."""

from __future__ import annotations

import argparse
import json
import sys

from pipelines.lib.release.schema import snapshot, static_ddl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.lib.release.schema", description=__doc__)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--ddl", action="store_true", help="the DDL of sql/release/mart_schema.sql")
    which.add_argument("--snapshot", action="store_true", help="the content of tests/mart_schema_snapshot.json")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    if args.ddl:
        sys.stdout.write(static_ddl())
    else:
        sys.stdout.write(json.dumps(snapshot(), ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
