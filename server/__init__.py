"""Comeback: habits, streaks and a guided program, served over GraphQL."""
