"""One package per backend, the same layout in each: `__init__.py` exports the connector class and
CONNECTOR, `connector.py` holds the class, `content.py` the formatting to and from the backend,
`errors.py` classify_error and the error texts, `auth.py` the sign-in where there is one.
See docs/ARCHITECTURE.md for adding a backend."""
