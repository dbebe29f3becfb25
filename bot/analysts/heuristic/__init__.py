"""The deterministic analyst: works like an SRE with the same tools, no model needed."""

from bot.analysts.heuristic.analyst import HeuristicAnalyst

__all__ = ["HeuristicAnalyst"]
