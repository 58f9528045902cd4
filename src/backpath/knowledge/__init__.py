"""Clinical knowledge as data: treatments, sources, conditions and plan policy."""

from backpath.knowledge.loader import KnowledgeBase, load_from, load_knowledge
from backpath.knowledge.models import PHASES, Phase, Treatment

__all__ = ["PHASES", "KnowledgeBase", "Phase", "Treatment", "load_from", "load_knowledge"]
