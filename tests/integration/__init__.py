"""Integration tests: Inflow against real servers (Synapse, Ralph) started on loopback."""
