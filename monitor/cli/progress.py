"""Live per-source progress in a terminal, plain lines in a pipe or a log."""

from __future__ import annotations

from typing import IO, Any


class Progress:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self._last = ""

    def update(self, source: str, row: dict[str, Any]) -> None:
        if not self.live:
            return
        line = (
            f"\r{source}: {row.get('pages_fetched', 0)} pages, {row.get('items_seen', 0)} items "
            f"({row.get('items_new', 0)} new, {row.get('items_changed', 0)} changed), "
            f"{row.get('errors', 0)} errors"
        )
        if line != self._last:
            self.stream.write(line.ljust(len(self._last)))
            self.stream.flush()
            self._last = line

    def done(self, source: str) -> None:
        if self.live and self._last:
            self.stream.write("\n")
            self.stream.flush()
            self._last = ""

    def summary(self, results: list[Any]) -> str:
        """A table in a terminal, one plain line per source otherwise."""
        if not self.live:
            return "\n".join(r.line() for r in results)
        head = ("source", "outcome", "pages", "304", "seen", "new", "changed", "errors", "secs")
        rows = [head] + [
            (
                r.source,
                r.outcome,
                str(r.row.get("pages_fetched", 0)),
                str(r.row.get("not_modified", 0)),
                str(r.row.get("items_seen", 0)),
                str(r.row.get("items_new", 0)),
                str(r.row.get("items_changed", 0)),
                str(r.row.get("errors", 0)),
                f"{r.seconds:.1f}",
            )
            for r in results
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
        reasons = [f"  {r.source}: {r.reason}" for r in results if r.reason]
        return "\n".join(lines + reasons)
