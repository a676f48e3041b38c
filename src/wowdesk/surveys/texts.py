"""The survey's words in the customer's language (pure: no Django import)."""
