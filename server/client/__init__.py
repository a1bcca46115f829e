"""The command-line client: `comeback login|habits|log|undo|skip|status|export|import` over the GraphQL API.

It never imports the server (no database, no settings): only httpx, click and pure helpers.
"""
