"""Default endpoints of the parliamentary spiders, declared once.

Why here: spiders may not import ``monitor`` (they stay plain fetch+parse), yet the config
models in ``monitor/sources/`` must offer the same defaults; both import these constants, so a
changed host is written in one place (issue 10)."""

from __future__ import annotations

ASSEMBLEE_URL = "https://www.assemblee-nationale.fr"
ASSEMBLEE_OPEN_DATA_URL = "https://data.assemblee-nationale.fr"
ASSEMBLEE_LEGISLATURE = 17
SENAT_URL = "https://www.senat.fr"
SENAT_OPEN_DATA_URL = "https://data.senat.fr"
SENAT_CSV_PATH = "/data/questions/questions-depuis-un-an.csv"
#: largest open-data archive accepted (config: crawl.max_dump_bytes)
MAX_DUMP_BYTES = 300_000_000
#: DILA's JORF open-data directory (listing page of the incremental archives), issue 12
JORF_URL = "https://echanges.dila.gouv.fr/OPENDATA/JORF"
#: natures of Journal officiel texts yielded by default (META NATURE, upper case)
JORF_NATURES = ["ARRETE", "DECRET", "AVIS", "ORDONNANCE", "LOI", "DECISION"]
