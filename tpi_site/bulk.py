"""Write a DataFrame into a table fast: COPY on PostgreSQL, executemany elsewhere.

For derived and imported fact rows only (observations, scores), where the caller has
already validated every value; the ORM is bypassed on purpose.
"""

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection


def bulk_write_frame(
    table: str, frame: pd.DataFrame, *, columns: Sequence[str], not_null_text: Sequence[str] = ()
) -> int:
    """Append ``frame[columns]`` to ``table``; NaN/None become NULL. Returns rows written.

    ``not_null_text`` names text columns whose empty values are '' rather than NULL.
    """
    if frame.empty:
        return 0
    frame = frame[list(columns)]
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        buffer = pa.BufferOutputStream()
        pa_csv.write_csv(
            pa.Table.from_pandas(frame, preserve_index=False),
            buffer,
            pa_csv.WriteOptions(include_header=False),
        )
        options = "FORMAT csv"
        if not_null_text:
            options += f", FORCE_NOT_NULL ({', '.join(not_null_text)})"
        sql = f"COPY {table} ({names}) FROM STDIN ({options})"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(buffer.getvalue().to_pybytes())
    else:
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        with connection.cursor() as cursor:
            cursor.executemany(sql, list(rows))
    return len(frame)
