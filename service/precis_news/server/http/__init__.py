"""JSON over HTTP: the precis.v1 methods at their google.api.http routes, and the web page."""
