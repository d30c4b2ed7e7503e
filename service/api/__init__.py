"""The HTTP API: schemas, dependencies, routes and error handlers."""
