"""Count the quirks of the source-material files that docs/source_material.md names.

python scripts/source_data_checks.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

from sequelcast.source_material import collect_works
from sequelcast.sources import mal_works

ROOT = Path(__file__).resolve().parents[1]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    manga_path = args.data / "derived" / "mal_manga_2024-12.csv"
    novel_path = args.data / "derived" / "mal_lightnovels_2024-12.csv"
    manga, novels = _rows(manga_path), _rows(novel_path)

    publishing = [r for r in manga if r["Status"] == "Publishing"]
    placeholder = [r for r in publishing if (r["Volumes"], r["Chapters"]) == ("3", "16")]
    print(
        f"manga file, Publishing rows with Volumes=3 and Chapters=16: {len(placeholder)} of {len(publishing)}"
    )
    dated = [r for r in manga if r["Completed date"][:1].isdigit()]
    backwards = [r for r in dated if r["Completed date"] < r["Released date"]]
    year_only = [
        r
        for r in backwards
        if r["Completed date"].endswith("-01-01")
        and r["Completed date"][:4] == r["Released date"][:4]
    ]
    print(
        f"manga file, end before start: {len(backwards)} ({len(year_only)} are January 1 of the start's year)"
    )
    lost = [
        t
        for t in (r["Title"] for r in manga + novels)
        if (lambda h, e: bool(e) and len(h) <= 1)(*mal_works.split_title(t))
    ]
    print(f"one-character romaji titles: {len(lost)} (e.g. {', '.join(lost[:3])})")
    no_month = [
        r["Published"] for r in novels if re.search(r"(^|to )\s*\d{1,2}, \d{4}", r["Published"])
    ]
    print(
        f"light-novel file, dates with a day and no month: {len(no_month)} ({', '.join(no_month)})"
    )
    single = [r for r in novels if " to " not in r["Published"]]
    print(
        f"light-novel file, single dates: {len(single)} "
        f"({sum(r['Status'] == 'Finished' for r in single)} Finished)"
    )

    parsed = mal_works.parse_manga(manga_path.read_bytes(), manga_path.name).manga
    parsed += mal_works.parse_novels(novel_path.read_bytes(), novel_path.name).manga
    ids = {r.manga_id for r in parsed}
    kept = collect_works(parsed, [])
    print(
        f"MAL works: {len(ids)} ids, {len(kept)} after keeping a work listed under two ids once "
        f"({len(ids) - len(kept)} duplicates)"
    )


if __name__ == "__main__":
    main()
