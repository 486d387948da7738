"""vipbench: measure how well vision-language models infer private attributes from images."""

__version__ = "0.1.0"
