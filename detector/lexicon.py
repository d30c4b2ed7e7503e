"""What closecheck reads in OCR text: the packaged lexicon (``lexicon.yaml``) and its matchers."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

# Characters OCR puts around a phrase that do not change its meaning.
_EDGE_PUNCT = " \t.,!?:;·•|｜丨/\\-–—_~'\"“”‘’()[]{}<>«»›‹>*#+=、，。！？：；（）【】《》"
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def normalise(text: str) -> str:
    """Lower case, NFKC (full-width → half-width), single spaces, trimmed punctuation.

    Spaces between CJK characters are dropped ("跳 过" → "跳过"), since OCR and designers insert
    them freely; spaces between Latin words stay.
    """
    t = unicodedata.normalize("NFKC", text).lower()
    t = _SPACES.sub(" ", t).strip(_EDGE_PUNCT)
    if _CJK.search(t):
        t = re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff\d])|(?<=\d) (?=[\u3400-\u9fff])", "", t)
    return t


def squash(text: str) -> str:
    """``normalise`` without any spaces: the key exact matches compare on ("No Thanks" = "nothanks")."""
    return normalise(text).replace(" ", "")


def _letters(text: str) -> str:
    """Only the letters of a normalised Latin text: the key OCR's stray dots and spaces leave alone."""
    return re.sub(r"[^a-z]", "", text)


def _within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by changing, inserting or deleting at most one character."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return a[i + (len(a) == len(b)):] == b[i + 1:]


@dataclass(frozen=True)
class PhraseSet:
    """Phrases matched inside a text: CJK and multi-word Latin phrases on the space-free key (OCR
    drops spaces: "STARTFREETRIAL"), single Latin words on word boundaries ("download" must not
    fire on "downloading", nor "get" on "together")."""

    squashed: tuple[str, ...]
    words: re.Pattern[str] | None

    @classmethod
    def of(cls, phrases: list[str]) -> PhraseSet:
        squashed, single = [], []
        for p in phrases:
            n = normalise(p)
            if _CJK.search(n) or " " in n:
                squashed.append(n.replace(" ", ""))
            else:
                single.append(re.escape(n))
        pattern = re.compile(r"(?<![a-z])(?:" + "|".join(single) + r")(?![a-z])") if single else None
        return cls(tuple(squashed), pattern)

    def search(self, norm: str) -> bool:
        key = norm.replace(" ", "")
        return any(p in key for p in self.squashed) or bool(self.words and self.words.search(norm))


@dataclass(frozen=True, slots=True)
class TextCues:
    """What one piece of text says, by the lexicon."""

    close: str | None  # "strong" | "weak" | None
    countdown_close_s: int | None  # seconds when the text is itself a countdown close control
    blocks_close: bool  # "5秒后可关闭", "You can skip in 5"
    countdown: int | None  # any countdown number
    ad_label: bool
    jump_hint: bool
    tap_anywhere: bool  # a hint that only makes sense when the picture is the link
    shake: bool
    call_to_action: bool
    dialog_word: bool


@dataclass(frozen=True)
class Lexicon:
    close_exact: frozenset[str]
    close_weak: frozenset[str]
    close_prefix: tuple[str, ...]
    countdown_close: tuple[re.Pattern[str], ...]
    countdown_blocks: tuple[re.Pattern[str], ...]
    countdown_any: tuple[re.Pattern[str], ...]
    ad_exact: frozenset[str]
    ad_prefix: tuple[str, ...]
    ad_whole: tuple[re.Pattern[str], ...]
    ad_within: re.Pattern[str]
    jump_hint: PhraseSet
    shake: PhraseSet
    tap_anywhere: PhraseSet
    status_bar_clock: re.Pattern[str]
    corner_pill_close: re.Pattern[str]
    corner_spot_phrases: tuple[str, ...]
    corner_spot_forms: tuple[str, ...]
    call_to_action: PhraseSet
    dialog_words: PhraseSet
    cue_max_words: int
    cue_max_cjk_chars: int
    # characters the recogniser misreads inside dismiss words, mapped back before those are matched
    close_confusions: tuple[tuple[str, str], ...] = ()
    # Latin dismiss phrases of two or more words, as (word count, letters only), matched allowing
    # one misread letter (``misread_phrase_min_letters``): "No thank", "Not nov", "No.thanks"
    close_phrases: tuple[tuple[int, str], ...] = ()
    misread_phrase_min_letters: int = 6
    # one-word Latin dismiss words long enough (``misread_word_min_letters``) that a reading one
    # letter off is still only them: "Dismis" is dismiss; "cancer" is not cancel
    close_words: tuple[str, ...] = ()
    misread_word_min_letters: int = 7

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> Lexicon:
        def words(section: str, key: str) -> list[str]:
            items = (raw.get(section) or {}).get(key) or []
            bad = [w for w in items if not isinstance(w, str)]
            if bad:  # YAML reads bare no/yes/on/off as booleans: quote them
                raise ValueError(f"lexicon {section}.{key}: entries must be strings, got {bad!r}")
            return list(items)

        def patterns(section: str) -> tuple[re.Pattern[str], ...]:
            return tuple(re.compile(p, re.IGNORECASE) for p in raw.get(section) or [])

        latin = [n for n in (normalise(w) for w in words("close_text", "exact")) if not _CJK.search(n)]
        phrases = tuple(dict.fromkeys((len(n.split()), _letters(n)) for n in latin if len(n.split()) >= 2))
        return cls(
            close_exact=frozenset(squash(w) for w in words("close_text", "exact")),
            close_weak=frozenset(squash(w) for w in words("close_text", "weak")),
            close_prefix=tuple(normalise(w) if w.strip() == w else w.lower() for w in words("close_text", "prefix")),
            countdown_close=patterns("countdown_close"),
            countdown_blocks=patterns("countdown_blocks_close"),
            countdown_any=patterns("countdown_any"),
            ad_exact=frozenset(squash(w) for w in words("ad_label", "exact")),
            ad_prefix=tuple(w.lower() for w in words("ad_label", "prefix")),
            ad_whole=tuple(re.compile(p, re.IGNORECASE) for p in (raw.get("ad_label") or {}).get("whole") or []),
            ad_within=re.compile(str((raw.get("ad_label") or {}).get("within") or "(?!)"), re.IGNORECASE),
            jump_hint=PhraseSet.of(words("jump_hint", "contains")),
            shake=PhraseSet.of(words("shake", "contains")),
            tap_anywhere=PhraseSet.of(words("tap_anywhere", "contains")),
            status_bar_clock=re.compile(str(raw.get("status_bar_clock") or "(?!)")),
            corner_pill_close=re.compile(str(raw.get("corner_pill_close") or "(?!)"), re.IGNORECASE),
            corner_spot_phrases=tuple(words("corner_spot", "phrases")),
            corner_spot_forms=tuple(words("corner_spot", "countdown_forms")),
            call_to_action=PhraseSet.of(words("call_to_action", "contains")),
            dialog_words=PhraseSet.of(words("dialog_words", "contains")),
            cue_max_words=int((raw.get("limits") or {}).get("cue_max_words", 6)),
            cue_max_cjk_chars=int((raw.get("limits") or {}).get("cue_max_cjk_chars", 24)),
            close_confusions=tuple((str(k), str(v)) for k, v in (raw.get("close_ocr_confusions") or {}).items()),
            close_phrases=phrases,
            misread_phrase_min_letters=int((raw.get("limits") or {}).get("misread_phrase_min_letters", 6)),
            # "closead" is close ad run together: a phrase, matched as one above
            close_words=tuple(dict.fromkeys(
                _letters(n) for n in latin if len(n.split()) == 1 and _letters(n) not in {p for _, p in phrases})),
            misread_word_min_letters=int((raw.get("limits") or {}).get("misread_word_min_letters", 7)),
        )

    def _repaired(self, norm: str) -> str:
        """``norm`` with the recogniser's known confusions inside dismiss words undone (跳达 is a
        half-legible 跳过); used only to match dismiss phrases."""
        for misread, meant in self.close_confusions:
            norm = norm.replace(misread, meant)
        return norm

    def _countdown_close(self, norm: str) -> int | None:
        for pat in self.countdown_close:
            m = pat.search(norm)
            if m:
                return int(m.group("n"))
        return None

    def _countdown_any(self, norm: str) -> int | None:
        for pat in self.countdown_any:
            m = pat.search(norm)
            if m:
                digits = re.findall(r"\d+", m.group(0))
                if digits:
                    return int(digits[-1]) if ":" in m.group(0) else int(digits[0])
        return None

    def _is_close(self, norm: str, key: str) -> str | None:
        if key in self.close_exact:
            return "strong"
        if key in self.close_weak:
            return "weak"
        if any(norm.startswith(p) for p in self.close_prefix):
            return "strong"
        if self._misread_phrase(norm):
            return "strong"
        return None

    def _misread_phrase(self, norm: str) -> bool:
        """A Latin dismiss phrase of two or more words read with one letter wrong, missing or
        extra, or with a dot or comma inside ("No thank", "Not nov", "No.thanks"). The reading
        must have as many words as the phrase (a dot may join two), so one word that is a letter
        away from a phrase ("closed" from "close ad") is not it, and the phrase must be long
        enough that one letter is a misreading, not another word ("get it" is not "got it")."""
        if _CJK.search(norm):
            return False
        letters = _letters(norm)
        words = len(re.findall(r"[a-z]+", norm))
        for count, phrase in self.close_phrases:
            if letters == phrase:
                return True
            if (words == count and len(phrase) >= self.misread_phrase_min_letters
                    and _within_one_edit(letters, phrase)):
                return True
        return words == 1 and any(len(word) >= self.misread_word_min_letters and _within_one_edit(letters, word)
                                  for word in self.close_words)

    def _is_ad_label(self, norm: str, key: str) -> bool:
        return (key in self.ad_exact or any(norm.startswith(p) for p in self.ad_prefix)
                or any(p.fullmatch(key) for p in self.ad_whole))

    def classify(self, text: str) -> TextCues:
        norm = normalise(text)
        key = norm.replace(" ", "")
        repaired = self._repaired(norm)
        countdown_close = self._countdown_close(repaired)
        close = "strong" if countdown_close is not None else self._is_close(repaired, repaired.replace(" ", ""))
        # Buttons and hints are short; a jump word inside a paragraph invites nothing.
        short = (len(key) <= self.cue_max_cjk_chars) if _CJK.search(norm) else len(norm.split()) <= self.cue_max_words
        return TextCues(
            close=close,
            countdown_close_s=countdown_close,
            blocks_close=any(p.search(norm) for p in self.countdown_blocks),
            countdown=countdown_close if countdown_close is not None else self._countdown_any(norm),
            ad_label=self._is_ad_label(norm, key),
            jump_hint=short and (self.jump_hint.search(norm) or self.tap_anywhere.search(norm)),
            tap_anywhere=short and self.tap_anywhere.search(norm),
            shake=short and self.shake.search(norm),
            call_to_action=short and close is None and self.call_to_action.search(norm),
            dialog_word=self.dialog_words.search(norm),
        )

    def corner_pill(self, text: str) -> tuple[bool, int | None]:
        """Whether text read inside a top-right pill is its skip control, and its countdown."""
        m = self.corner_pill_close.search(normalise(text))
        if not m:
            return False, None
        n = m.groupdict().get("n")
        return True, int(n) if n else None

    def corner_spot_candidates(self, reading: str, max_number: int | None = None) -> list[str]:
        """Phrases to spot in a corner line the recogniser read as ``reading``: each skip label
        alone, and in every countdown form with each number found in the reading (runs of one or
        two digits, and each digit alone: a blurred "5s" reads as "59"), up to ``max_number``."""
        runs = re.findall(r"\d{1,2}", reading) + re.findall(r"\d", reading)
        numbers = [n for n in dict.fromkeys(runs) if max_number is None or int(n) <= max_number][:3]
        out = list(self.corner_spot_phrases)
        for n in numbers:
            out += [form.format(p=p, n=n) for p in self.corner_spot_phrases for form in self.corner_spot_forms]
        return out

    def contains_ad_label(self, text: str) -> bool:
        """An ad mark inside a longer line ("互动广告 | 跳过", "Ad · 0:24")."""
        return bool(self.ad_within.search(normalise(text)))


@functools.lru_cache(maxsize=4)
def load_lexicon(name: str = "lexicon.yaml") -> Lexicon:
    text = resources.files("detector").joinpath(name).read_text(encoding="utf-8")
    return Lexicon.from_mapping(yaml.safe_load(text))
