"""Forms of the producer workspaces, one module per area."""
