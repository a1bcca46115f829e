"""Users, sessions and personal access tokens."""
