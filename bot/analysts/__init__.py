"""Analysts: who decides which tools to call and what the evidence means."""
