"""Everything that talks to a network: connectors, the outbox engine, the HTTP session, offline copies, credentials."""
