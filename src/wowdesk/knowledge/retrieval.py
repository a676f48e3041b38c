"""Pure module (no Django): retrieval."""

from __future__ import annotations
