"""The route handlers, one module per area."""
