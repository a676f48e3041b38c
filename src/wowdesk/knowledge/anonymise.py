"""Pure module (no Django): anonymise."""

from __future__ import annotations
