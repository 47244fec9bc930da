"""Recognised lines on a page, grouped into rows, and text spans traced back to their boxes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


@dataclass
class Line:
    quad: np.ndarray  # (4, 2) in working-page pixels: what boxes are reported from
    text: str
    score: float
    # the same quad with the page's skew taken out: what rows and columns are judged on
    level: np.ndarray | None = None

    @property
    def _q(self) -> np.ndarray:
        return self.quad if self.level is None else self.level

    @property
    def x0(self) -> float:
        return float(self._q[:, 0].min())

    @property
    def x1(self) -> float:
        return float(self._q[:, 0].max())

    @property
    def y0(self) -> float:
        return float(self._q[:, 1].min())

    @property
    def y1(self) -> float:
        return float(self._q[:, 1].max())

    @property
    def height(self) -> float:
        return float(np.linalg.norm(self.quad[0] - self.quad[3]))

    @property
    def cy(self) -> float:
        return float(self._q[:, 1].mean())

    @property
    def cx(self) -> float:
        return float(self._q[:, 0].mean())


def level_lines(lines: list[Line]) -> list[Line]:
    """Take the page's small skew out of the layout: rotate every quad by the median angle of
    the long lines, so rows stay rows on a page scanned 3° off."""
    angles = []
    for l in lines:
        v = l.quad[1] - l.quad[0]
        if abs(v[0]) > 3 * max(l.height, 1.0):
            angles.append(float(np.arctan2(v[1], v[0])))
    theta = float(np.median(angles)) if angles else 0.0
    if abs(theta) < 0.002:
        for l in lines:
            l.level = None
        return lines
    c, s = np.cos(-theta), np.sin(-theta)
    rot = np.array([[c, -s], [s, c]], dtype=np.float32)
    for l in lines:
        l.level = (np.asarray(l.quad, dtype=np.float32) @ rot.T).astype(np.float32)
    return lines


def aabb(quads: list[np.ndarray]) -> np.ndarray:
    """The axis-aligned quad around several quads."""
    pts = np.concatenate([np.asarray(q) for q in quads])
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def group_rows(lines: list[Line]) -> list[list[Line]]:
    """Lines whose vertical centres are within half a line height, left to right."""
    rows: list[list[Line]] = []
    lines = level_lines(list(lines))
    for line in sorted(lines, key=lambda l: l.cy):
        for row in rows:
            ref = row[0]
            tol = 0.55 * min(max(ref.height, 1.0), max(line.height, 1.0))
            if abs(line.cy - np.mean([l.cy for l in row])) <= tol:
                row.append(line)
                break
        else:
            rows.append([line])
    for row in rows:
        row.sort(key=lambda l: l.x0)
    rows.sort(key=lambda r: np.mean([l.cy for l in r]))
    return rows


@dataclass
class RowText:
    """A row's text with, per character, the index of the line it came from."""

    lines: list[Line]
    text: str
    owner: list[int]

    @classmethod
    def of(cls, lines: list[Line], sep: str = "\u3000") -> "RowText":
        text, owner = [], []
        for i, line in enumerate(lines):
            if i:
                text.append(sep)
                owner.append(-1)
            for ch in line.text:
                text.append(ch)
                owner.append(i)
        return cls(lines=lines, text="".join(text), owner=owner)

    @property
    def box(self) -> np.ndarray:
        """The axis-aligned quad around the whole row."""
        return aabb([line.quad for line in self.lines])

    def span_quad(self, start: int, end: int) -> np.ndarray | None:
        idx = sorted({o for o in self.owner[start:end] if o >= 0})
        if not idx:
            return None
        return aabb([self.lines[i].quad for i in idx])

    def span_score(self, start: int, end: int) -> float:
        idx = {o for o in self.owner[start:end] if o >= 0}
        return min((self.lines[i].score for i in idx), default=0.0)


def spaced(label: str) -> str:
    """A regex for a label whose characters may be spread out by spaces ("名　　称")."""
    return r"[\s\u3000]*".join(re.escape(ch) for ch in label)


_FULL = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "\u3000": " ", "．": "."})


def normalise_name(name: str | None) -> str:
    """Entity names compared as filers and licences write them: brackets and spaces aside."""
    if not name:
        return ""
    s = name.translate(_FULL)
    return re.sub(r"\s+", "", s)
