"""Pure computations over plain rows: every derived column, and the pack formulas.

No I/O and no Flask here.  `derive_all` takes the stored rows of every table
and `today`, and returns the derived values of every row, computed in one pass
per table with indexes built once (design §6).
"""

from formulas.derive import derive_all

__all__ = ["derive_all"]
