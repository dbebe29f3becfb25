"""The model analyst: Ollama or an OpenAI-compatible server calling the MCP tools (docs/llm.md)."""

from bot.analysts.llm.analyst import LLMAnalyst, build_llm_analyst
from bot.analysts.llm.settings import LLMSettings, SettingsError

__all__ = ["LLMAnalyst", "LLMSettings", "SettingsError", "build_llm_analyst"]
