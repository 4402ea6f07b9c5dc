"""The Coda pack shim: the pack that forwards Coda's syncs, edits, formulas and actions to the service.

`generate.py` renders `pack.ts` from `templates/pack.ts.j2` with data from the catalog (`tsgen.py`),
after `checks.py` has refused what Coda would break; `runtime.ts` is the hand-written code pack.ts
imports. The service never imports this package.
"""
