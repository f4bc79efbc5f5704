"""One module per backend; each exposes CONNECTOR (see sync.connector.Connector)."""
