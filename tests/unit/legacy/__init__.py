"""The habit math as it was before the recompute was made faster (commit 4f7ad76), kept verbatim
so that property tests can prove the faster code gives exactly the same results."""
