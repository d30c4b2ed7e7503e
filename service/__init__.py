"""closecheck's HTTP service and web page (``closecheck serve``).

The service only validates input, calls the library in worker processes and shapes output;
all analysis lives in :mod:`detector`. Build the app with :func:`service.main.create_app`.
"""
