"""Topics from texts: clustering of multilingual embeddings and their labels (pure: no
Django import)."""
