"""The GraphQL API: a thin translation between the transport and the domain services."""
