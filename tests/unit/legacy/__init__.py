"""The habit math as it was before the recompute was made faster (commit 4f7ad76), kept verbatim
so that property tests can prove the faster code gives exactly the same results.

A frozen oracle, not a second implementation to maintain: when a rule changes on purpose, delete
the comparison for it (and its copy here) rather than editing both sides.
"""
