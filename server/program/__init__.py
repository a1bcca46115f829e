"""The guided program: step content, the requirements that unlock each next step, and the unlock rule."""
