"""Duplicate filings: the index of every filed and pending product and its exact signals.

    search = DuplicateSearch.open(data_dir, store, embedder)   # once, at start-up
    candidates = search.find(Filing.from_form(form))           # catches up with the database first
"""

from .filing import Filing, pair_features
from .image_hash import PhotoHash
from .search import Candidate, DuplicateSearch, ImageMatch

__all__ = ["Candidate", "DuplicateSearch", "Filing", "ImageMatch", "PhotoHash", "pair_features"]
