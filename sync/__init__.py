"""Everything that talks to a network lives here (sharing arrives with the sync issue)."""
