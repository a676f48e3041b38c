"""The live chat channel: the embeddable widget, its WebSocket and its outbound adapter."""
