"""Empowerment inside a framework: what agents may grant on the spot, approvals above it,
and the protection of agents from abusive customers."""
