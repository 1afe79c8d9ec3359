"""廉政风险防控承诺公示站点生成器 (integrity-risk pledge site generator)."""
__version__ = "0.1.0"
