"""Social and messaging networks: signed webhooks in, replies out through their APIs."""
