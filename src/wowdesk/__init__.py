"""wowdesk: a self-hosted, multilingual, omnichannel customer-service platform."""

__version__ = "0.1.0"
