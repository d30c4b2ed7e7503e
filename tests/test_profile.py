"""Rule profiles and the lexicon: data that must load, stay complete and say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector.lexicon import Lexicon, load_lexicon, normalise
from detector.profile import ProfileError, available_profiles, get_profile
from detector.types import RuleId


def test_default_profile_is_complete_and_explained() -> None:
    profile = get_profile()
    assert [r.id for r in profile.rules] == list(RuleId)
    for rule in profile.rules:
        assert rule.clause and rule.checks and rule.why
        for t in rule.thresholds:
            assert t.unit and t.why, f"{rule.id}.{t.name} needs a unit and a reason"
    for _, items in profile.settings:
        for t in items:
            assert t.unit and t.why, f"setting {t.name} needs a unit and a reason"
    assert profile.value(RuleId.CLOSE_TOO_SMALL, "fail_below") == 12
    assert profile.value(RuleId.CLOSE_TOO_SMALL, "warn_below") == 24
    assert profile.value(RuleId.CLOSE_LOW_CONTRAST, "fail_below") == 3.0
    assert profile.value(RuleId.FULLSCREEN_JUMP, "max_cta_area") == 0.75
    assert available_profiles() == ["cn-miit-2021"]


def test_profile_override_by_path(tmp_path: Path) -> None:
    custom = tmp_path / "strict.yaml"
    custom.write_text(
        "extends: cn-miit-2021\nname: strict\nrules:\n  CLOSE_TOO_SMALL:\n    thresholds:\n"
        "      fail_below: {value: 16, unit: dp, why: stricter house rule}\n",
        encoding="utf-8",
    )
    profile = get_profile(str(custom))
    assert profile.name == "strict"
    assert profile.value(RuleId.CLOSE_TOO_SMALL, "fail_below") == 16
    assert profile.value(RuleId.CLOSE_TOO_SMALL, "warn_below") == 24  # inherited


@pytest.mark.parametrize(
    ("text", "problem"),
    [("nope", "unknown profile"), ("/no/such/file.yaml", "not found")],
)
def test_bad_profiles(text: str, problem: str) -> None:
    with pytest.raises(ProfileError, match=problem):
        get_profile(text)


def test_unparseable_profile(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="does not parse"):
        get_profile(str(bad))


@pytest.mark.parametrize(
    ("text", "close", "countdown", "cue"),
    [
        ("跳过", "strong", None, None),
        ("跳 过", "strong", None, None),
        ("跳過", "strong", None, None),
        ("跳过 5", "strong", 5, None),
        ("5s 跳过", "strong", 5, None),
        ("5 | 跳过", "strong", 5, None),
        ("跳过(3)", "strong", 3, None),
        ("Skip in 5", "strong", 5, None),
        ("关闭 3s", "strong", 3, None),
        ("Close 5s", "strong", 5, None),  # the English 关闭 5
        ("5s | Close", "strong", 5, None),
        ("跳过广告 15", "strong", 15, None),  # the long form of 跳过 15
        ("关闭广告(5)", "strong", 5, None),
        ("跳过广告", "strong", None, None),
        ("Closed 5", None, None, None),
        ("27s｜跳过", "strong", 27, None),
        ("Skip Ad", "strong", None, None),
        ("NO THANKS", "strong", None, None),
        ("No", "strong", None, None),  # a bare YAML no would be a boolean: it must stay a word
        ("暂不开启", "strong", None, None),
        ("以后再说", "strong", None, None),
        ("跳达", "strong", None, None),  # 过 misread as 达 (close_ocr_confusions)
        ("跳达 5s", "strong", 5, None),
        ("到达", None, None, None),  # 达 elsewhere stays 达
        ("Don'tallow", "strong", None, None),  # the recogniser drops the space
        ("残忍离开", "strong", None, None),
        ("No thank", "strong", None, None),  # a two-word phrase with a letter lost (misread_phrase_min_letters)
        ("Not nov", "strong", None, None),  # or misread
        ("No.thanks", "strong", None, None),  # or a dot read in the gap
        ("Closed", None, None, None),  # one word a letter away from "close ad" is another word
        ("Dismis", "strong", None, None),  # a long one-word dismiss word with its last letter lost
        ("Dlsmiss", "strong", None, None),  # or one misread (misread_word_min_letters)
        ("Dismissed", None, None, None),  # two letters more is another word
        ("Cancer", None, None, None),  # a short word a letter away from cancel is another word
        ("Get it", None, None, "call_to_action"),  # "got it" is too short to take with a letter wrong
        ("Nothing", None, None, None),
        ("OK", "weak", None, None),
        ("下载", None, None, "jump_hint"),  # download: off to a store, as Install is
        ("立即安装", None, None, "jump_hint"),
        ("去购买", None, None, "jump_hint"),  # go buy: off to a shop's page, as Shop now is
        ("Get app", None, None, "jump_hint"),
        ("Install", None, None, "jump_hint"),
        ("Tap to open", None, None, "tap_anywhere"),  # the picture is the link
        ("点击跳转详情页或第三方应用", None, None, "tap_anywhere"),
        ("摇一摇", None, None, "shake"),
        ("扭动手机", None, None, "shake"),
        ("广告", None, None, "ad_label"),
        ("Sponsored", None, None, "ad_label"),
        ("5秒后可关闭", None, 5, "blocks_close"),
        ("You can skip in 5", None, None, "blocks_close"),
        ("Thank you for downloading our application using the", None, None, None),  # a paragraph invites nothing
        ("06:19", None, None, None),  # a clock is not a countdown
    ],
)
def test_lexicon_table(text: str, close: str | None, countdown: int | None, cue: str | None) -> None:
    cues = load_lexicon().classify(text)
    assert cues.close == close
    assert (cues.countdown_close_s if close else cues.countdown) == countdown
    flags = {"call_to_action", "jump_hint", "tap_anywhere", "shake", "ad_label", "blocks_close"}
    raised = {f for f in flags if getattr(cues, f)}
    if cue is None:
        assert not raised - {"call_to_action"} if close else not raised
    else:
        assert cue in raised


@pytest.mark.parametrize(("text", "jump"), [("安装", False), ("下载", True), ("立即安装", True)])
def test_a_bare_install_is_no_jump_hint(text: str, jump: bool) -> None:
    """A bare 安装 is also an update dialog's button (是否升级到新版本? 安装): a call to action,
    not a hint that the tap leaves for a store; 下载 and 立即安装 are an ad's."""
    cues = load_lexicon().classify(text)
    assert cues.call_to_action
    assert bool(cues.jump_hint) == jump


def test_lexicon_rejects_yaml_booleans() -> None:
    with pytest.raises(ValueError, match="must be strings"):
        Lexicon.from_mapping({"close_text": {"exact": [False]}})


@pytest.mark.parametrize(("raw", "norm"), [("ＳＫＩＰ", "skip"), ("  跳 过 ", "跳过"), ("No, Thanks!", "no, thanks")])
def test_normalise(raw: str, norm: str) -> None:
    assert normalise(raw) == norm


@pytest.mark.parametrize(
    ("text", "is_skip", "seconds"),
    [
        ("过 5", True, 5),  # the tail of a blurred 跳过 5
        ("可跳过广告", True, None),  # the readable end of 8秒后可跳过广告
        ("跳过广告 3", True, 3),
        ("Skip", True, None),
        ("广告", False, None),  # an ad label, not a skip
        ("VIP会员", False, None),
    ],
)
def test_corner_pill_reading(text: str, is_skip: bool, seconds: int | None) -> None:
    """What a line read inside a top-right pill says (lexicon corner_pill_close)."""
    assert load_lexicon().corner_pill(text) == (is_skip, seconds)
