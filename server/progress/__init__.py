"""The background engine: recomputing each user's derived state (confidence, achievements, steps)."""
