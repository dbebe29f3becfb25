"""Re-export: the engine defines what an analyst is; analysts implement it."""

from bot.engine.analyst import Analyst

__all__ = ["Analyst"]
