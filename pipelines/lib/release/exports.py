"""Open exports of a candidate release, written from its mart only (protected figures)."""

from __future__ import annotations

from pathlib import Path

from pipelines.lib.duck import connect

TABLE_ORDER = {
    "run_info": "run_id",
    "districts": "level_rank, district_id",
    "indicators": "indicator_id",
    "indicator_values": "indicator_id, year, district_id",
}


def write_exports(mart: Path, out_dir: Path) -> list[Path]:
    """Write one Parquet file per mart table (districts as GeoParquet), sorted for stable bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    con = connect(mart, read_only=True)
    try:
        for table, order in TABLE_ORDER.items():
            target = out_dir / f"{table}.parquet"
            con.execute(
                f"copy (select * from {table} order by {order}) to '{target.as_posix()}' "
                "(format parquet, compression zstd)"
            )
            written.append(target)
    finally:
        con.close()
    return written
