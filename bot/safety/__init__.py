"""What must not leave the machine, and the code that keeps it in."""

from bot.safety.masking import Masker, mask_data, mask_text

__all__ = ["Masker", "mask_data", "mask_text"]
