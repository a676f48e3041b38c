"""Voice (CTI): call events from the phone system into conversations, and screen-pops."""
