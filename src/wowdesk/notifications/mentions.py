"""Mentions in a note: ``@Display Name`` of the agents who work in its brand (pure).

The composer inserts exactly ``@Display Name `` (an at sign, the name, a space). A mention
is an ``@`` at the start of the text or after a character that is not part of a word (so
``ana@example.com`` mentions no one), followed by a known name, compared without case
(``str.casefold``, any script), and then the end of the text or a character that is not
part of a word. Of the names that fit at one ``@`` the longest wins: with agents "Ann" and
"Ann Lee", ``@Ann Lee`` mentions Ann Lee only. Agents sharing one name are all mentioned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MAX_NAME = 200  # the longest display name (core.Agent.display_name)


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


class Directory:
    """The names a note can mention, prepared once for many notes of one brand."""

    def __init__(self, names: Mapping[int, str] | Iterable[tuple[int, str]]) -> None:
        pairs = names.items() if isinstance(names, Mapping) else names
        self.by_key: dict[str, set[int]] = {}
        for agent_id, name in pairs:
            key = _key(name)
            if key:
                self.by_key.setdefault(key, set()).add(agent_id)
        # longest first: the first name that fits at an ``@`` is the longest one
        self.lengths = sorted({len(k) for k in self.by_key}, reverse=True)

    def find(self, text: str) -> set[int]:
        """The ids of the agents ``text`` mentions."""
        found: set[int] = set()
        if not self.by_key:
            return found
        start = text.find("@")
        while start != -1:
            if start == 0 or not _word(text[start - 1]):
                ids = self._at(text, start + 1)
                if ids:
                    found |= ids
            start = text.find("@", start + 1)
        return found

    def _at(self, text: str, pos: int) -> set[int] | None:
        # casefolding may lengthen the text (ß → ss): compare folded against folded
        folded = text[pos : pos + 2 * MAX_NAME + 2].casefold()
        if not folded or folded[0].isspace():
            return None
        for length in self.lengths:
            candidate = folded[:length]
            ids = self.by_key.get(candidate)
            if ids is None:
                continue
            after = folded[length : length + 1]
            if after and _word(after):
                continue
            return ids
        return None


def mentioned(text: str, names: Mapping[int, str]) -> set[int]:
    """The ids (keys of ``names``) of the agents ``text`` mentions."""
    return Directory(names).find(text)
