"""Surveys after the answer (CSAT, NPS, CES), the follow-ups that close the loop, and the
WOW wall."""
