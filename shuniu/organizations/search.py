"""Chinese substring search that an index can answer on PostgreSQL: the characters of a text.

A Chinese search is mostly a word of two characters (阳光, 养老), and `LIKE '%…%'` alone reads every row. pg_trgm
cannot narrow such a search: a trigram index narrows a LIKE pattern only by the three-character pieces inside it, and
a two-character pattern has none (measured in benchmarks/RESULTS.md, issue 12 point 4). So each searched column has a
GIN index on its array of characters, `regexp_split_to_array(column, '')` (migration organizations 0008): a row can
contain the text only if it holds every character of it, which the index answers, and the `LIKE` then checks their
order. The same rows as `LIKE` alone, on every locale and without an extension; on SQLite only the `LIKE` is used."""

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value


class HoldsCharacters(Func):
    """`regexp_split_to_array(<column>, '') @> ARRAY[<characters>]`: the column holds every one of the characters
    (PostgreSQL; the expression of the column's GIN index, so the planner can use it)."""

    output_field = BooleanField()

    def __init__(self, column: str, characters: list[str]):
        super().__init__(F(column), *(Value(character) for character in characters))

    def as_sql(self, compiler, connection, **extra_context):
        column, *characters = self.get_source_expressions()
        sql, params = compiler.compile(column)
        parts = []
        for character in characters:
            part, part_params = compiler.compile(character)
            parts.append(part)
            params = [*params, *part_params]
        return f"regexp_split_to_array({sql}, '') @> ARRAY[{', '.join(parts)}]::text[]", params


def contains_text(column: str, text: str) -> Q:
    """`column` contains `text` (case-sensitive, as `__contains`), through the column's character index on
    PostgreSQL."""
    condition = Q(**{f"{column}__contains": text})
    if connection.vendor == "postgresql" and text:
        condition = Q(HoldsCharacters(column, sorted(set(text)))) & condition
    return condition
