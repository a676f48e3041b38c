"""Knowledge: the knowledge base, hybrid search, suggestions, the help center, the answer bot
and the knowledge loop. Pure retrieval and classification code lives in plain modules
(``retrieval``, ``intent``, ``anonymise``) with no Django import."""
