"""Pure module (no Django): intent."""

from __future__ import annotations
