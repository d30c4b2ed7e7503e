"""``closecheck report``: one self-contained HTML page about a results database.

Everything is inside the file: CSS and a few lines of JS inline, charts drawn with
matplotlib (Agg) and embedded as base64 PNG, thumbnails embedded as base64 JPEG. Nothing is
fetched from the network when the page is opened. Threshold lines come from the rule
profile the results were scored with (:func:`detector.profile.get_profile`).
"""

from __future__ import annotations

import base64
import html
import io
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from detector.bulk.store import STATUSES, ResultRecord, Store

WORST_OFFENDERS = 12
MAX_TABLE_ROWS = 5000  # the table lists fails first; beyond this the export has the rest
SIZE_AXIS_MAX_DP = 80.0  # larger controls are piled into the last bin
CONTRAST_AXIS_MAX = 21.0  # WCAG's largest possible ratio
CHART_DPI = 110
STATUS_COLOURS = {
    "pass": "#2e7d32",
    "fail": "#c62828",
    "review": "#ef6c00",
    "not_applicable": "#607d8b",
    "error": "#6a1b9a",
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The lines drawn on the charts, from the rule profile."""

    size_fail_dp: float
    size_warn_dp: float
    contrast_fail: float
    profile: str

    @classmethod
    def from_profile(cls, name: str | None) -> Thresholds:
        from detector.profile import DEFAULT_PROFILE, get_profile
        from detector.types import RuleId

        profile = get_profile(name or DEFAULT_PROFILE)
        return cls(
            size_fail_dp=profile.value(RuleId.CLOSE_TOO_SMALL, "fail_below"),
            size_warn_dp=profile.value(RuleId.CLOSE_TOO_SMALL, "warn_below"),
            contrast_fail=profile.value(RuleId.CLOSE_LOW_CONTRAST, "fail_below"),
            profile=profile.name,
        )


@dataclass(slots=True)
class Summary:
    """What the page shows, gathered in one pass over the results."""

    counts: Counter[str] = field(default_factory=Counter)
    rule_fails: Counter[str] = field(default_factory=Counter)
    rule_warns: Counter[str] = field(default_factory=Counter)
    sizes_dp: list[float] = field(default_factory=list)
    contrasts: list[float] = field(default_factory=list)
    rows: list[ResultRecord] = field(default_factory=list)
    profile: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def judged(self) -> int:
        """Images the rules ran on (errors excluded)."""
        return self.total - self.counts["error"]


def summarize(store: Store) -> Summary:
    summary = Summary()
    for record in store.iter_records():
        summary.counts[record.status] += 1
        summary.rule_fails.update(record.rules_failed)
        summary.rule_warns.update(record.rules_warned)
        if record.close_size_dp is not None:
            summary.sizes_dp.append(record.close_size_dp)
        if record.close_contrast is not None:
            summary.contrasts.append(record.close_contrast)
        if summary.profile is None and record.report:
            summary.profile = record.report.get("profile")
        summary.rows.append(_light(record))
    return summary


def _light(record: ResultRecord) -> ResultRecord:
    """The record without its full report, to keep a big table in memory cheaply."""
    from dataclasses import replace

    return replace(record, report=None, thumb=None)


def worst_offenders(rows: Sequence[ResultRecord], n: int = WORST_OFFENDERS) -> list[ResultRecord]:
    """Failing results, most failed rules first, then the smallest and faintest close controls."""
    fails = [r for r in rows if r.status == "fail"]
    fails.sort(
        key=lambda r: (-len(r.rules_failed), r.close_size_dp or 0.0, r.close_contrast or 0.0, r.source)
    )
    return fails[:n]


def write_report(store: Store, out: Path, *, title: str = "closecheck batch report") -> Summary:
    """Write the HTML report of ``store`` to ``out``; returns what it summarized."""
    summary = summarize(store)
    thresholds = Thresholds.from_profile(summary.profile)
    offenders = [store.get(r.key) or r for r in worst_offenders(summary.rows)]
    page = render(summary, thresholds, offenders, title=title, results_name=store.path.name)
    out.write_text(page, encoding="utf-8")
    return summary


# -- rendering --------------------------------------------------------------------------------
def render(
    summary: Summary,
    thresholds: Thresholds,
    offenders: Sequence[ResultRecord],
    *,
    title: str,
    results_name: str,
) -> str:
    generated = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    parts = [
        f"<h1>{_e(title)}</h1>",
        f"<p class=meta>Results <code>{_e(results_name)}</code> · profile <code>{_e(thresholds.profile)}</code>"
        f" · {summary.total} images · generated {_e(generated)}</p>",
        _totals_html(summary),
        _rules_html(summary),
        _charts_html(summary, thresholds),
        _offenders_html(offenders),
        _table_html(summary),
    ]
    return _PAGE.format(title=_e(title), css=_CSS, body="\n".join(parts), js=_JS)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _totals_html(summary: Summary) -> str:
    tiles = []
    for status in STATUSES:
        n = summary.counts[status]
        share = 100.0 * n / summary.total if summary.total else 0.0
        tiles.append(
            f'<div class="tile" style="border-color:{STATUS_COLOURS[status]}" data-total="{status}">'
            f'<div class="n">{n}</div><div class="label">{_e(status.replace("_", " "))}</div>'
            f'<div class="share">{share:.1f}%</div></div>'
        )
    return f'<section><h2>Totals</h2><div class="tiles" id="totals">{"".join(tiles)}</div></section>'


def _rules_html(summary: Summary) -> str:
    rules = sorted(set(summary.rule_fails) | set(summary.rule_warns), key=lambda r: -summary.rule_fails[r])
    if not rules:
        return "<section><h2>Fail rate per rule</h2><p>No rule failed or warned.</p></section>"
    rows = []
    for rule in rules:
        rate = 100.0 * summary.rule_fails[rule] / summary.judged if summary.judged else 0.0
        rows.append(
            f"<tr><td><code>{_e(rule)}</code></td><td>{summary.rule_fails[rule]}</td>"
            f'<td>{summary.rule_warns[rule]}</td><td class=rate><span class=bar style="width:{rate:.1f}%">'
            f"</span>{rate:.1f}%</td></tr>"
        )
    return (
        f"<section><h2>Fail rate per rule</h2><p class=note>Share of the {summary.judged} judged images "
        "(errors excluded) on which each rule failed.</p><table class=rules><thead><tr><th>Rule</th>"
        f"<th>Failed</th><th>Warned</th><th>Fail rate</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _charts_html(summary: Summary, thresholds: Thresholds) -> str:
    size_png = _histogram(
        summary.sizes_dp,
        title="Close-control size (shorter side)",
        xlabel="dp",
        upper=SIZE_AXIS_MAX_DP,
        lines=[(thresholds.size_fail_dp, "fail", "#c62828"), (thresholds.size_warn_dp, "warn", "#ef6c00")],
    )
    contrast_png = _histogram(
        summary.contrasts,
        title="Close-control contrast",
        xlabel="contrast ratio (:1)",
        upper=CONTRAST_AXIS_MAX,
        lines=[(thresholds.contrast_fail, "fail", "#c62828")],
        lower=1.0,
    )
    return (
        "<section><h2>Close controls</h2><p class=note>The close control each rule judged, one per image "
        f"({len(summary.sizes_dp)} sizes, {len(summary.contrasts)} contrasts). Lines: size fail below "
        f"{thresholds.size_fail_dp:g} dp, warn below {thresholds.size_warn_dp:g} dp; contrast fail below "
        f"{thresholds.contrast_fail:g}:1 (profile {_e(thresholds.profile)}).</p><div class=charts>"
        f'<img alt="close-control size histogram" src="data:image/png;base64,{size_png}">'
        f'<img alt="close-control contrast histogram" src="data:image/png;base64,{contrast_png}">'
        "</div></section>"
    )


def _histogram(
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    upper: float,
    lines: Sequence[tuple[float, str, str]],
    lower: float = 0.0,
) -> str:
    """A histogram with labelled threshold lines, as base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.6, 3.2), dpi=CHART_DPI)
    axes = figure.subplots()
    clipped = [min(max(v, lower), upper) for v in values]
    if clipped:
        axes.hist(clipped, bins=40, range=(lower, upper), color="#5c7cfa", edgecolor="white")
    else:
        axes.text(0.5, 0.5, "nothing measured", ha="center", va="center", transform=axes.transAxes)
    for x, label, colour in lines:
        axes.axvline(x, color=colour, linestyle="--", linewidth=1.5)
        axes.text(
            x,
            0.97,
            f" {label} {x:g}",
            color=colour,
            transform=axes.get_xaxis_transform(),
            va="top",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.0},
        )
    axes.set_xlim(lower, upper)
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("images")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _offenders_html(offenders: Sequence[ResultRecord]) -> str:
    if not offenders:
        return "<section><h2>Worst offenders</h2><p>No image failed.</p></section>"
    cards = [_offender_card(r) for r in offenders]
    return f'<section><h2>Worst offenders</h2><div class="cards">{"".join(cards)}</div></section>'


def _offender_card(record: ResultRecord) -> str:
    if record.thumb:
        data = base64.b64encode(record.thumb).decode("ascii")
        picture = f'<img alt="annotated evidence" src="data:image/jpeg;base64,{data}">'
    else:
        picture = '<div class="nothumb">no thumbnail</div>'
    messages = [
        f"<li><code>{_e(f.get('rule'))}</code> {_e(f.get('message', ''))}</li>"
        for f in (record.report or {}).get("findings", [])
        if f.get("severity") == "fail"
    ]
    return (
        f'<div class="card">{picture}<div class="cap"><b title="{_e(record.source)}">{_e(record.name)}</b>'
        f"<ul>{''.join(messages)}</ul></div></div>"
    )


def _table_html(summary: Summary) -> str:
    order = {"fail": 0, "review": 1, "error": 2, "pass": 3, "not_applicable": 4}
    rows = sorted(summary.rows, key=lambda r: (order.get(r.status, 5), r.source))[:MAX_TABLE_ROWS]
    rules = sorted(set(summary.rule_fails) | set(summary.rule_warns))
    rule_options = "".join(f'<option value="{_e(r)}">{_e(r)}</option>' for r in rules)
    status_options = "".join(f'<option value="{s}">{_e(s)}</option>' for s in STATUSES)
    body = "".join(_table_row(r) for r in rows)
    more = "" if len(summary.rows) <= MAX_TABLE_ROWS else (
        f"<p class=note>Showing {MAX_TABLE_ROWS} of {len(summary.rows)} results; "
        "<code>closecheck export</code> lists them all.</p>"
    )  # fmt: skip
    return (
        "<section><h2>All results</h2><div class=filters>"
        f'<label>Rule <select id="rule"><option value="">any</option>{rule_options}</select></label> '
        f'<label>Status <select id="status"><option value="">any</option>{status_options}</select></label> '
        '<span id="shown"></span></div>'
        '<table id="results"><thead><tr><th>Image</th><th>Status</th><th>Rules (fail / warn)</th>'
        "<th>Size dp</th><th>Contrast</th><th>Reason</th></tr></thead>"
        f"<tbody>{body}</tbody></table>{more}</section>"
    )


def _table_row(record: ResultRecord) -> str:
    rules = [*record.rules_failed, *record.rules_warned]
    marks = [f'<span class="r fail">{_e(r)}</span>' for r in record.rules_failed]
    marks += [f'<span class="r warn">{_e(r)}</span>' for r in record.rules_warned]
    reason = record.error if record.status == "error" else record.verdict_reason
    return (
        f'<tr data-status="{_e(record.status)}" data-rules="{_e(json.dumps(rules))}">'
        f'<td title="{_e(record.source)}">{_e(record.name)}</td>'
        f'<td><span class="s" style="background:{STATUS_COLOURS.get(record.status, "#999")}">'
        f"{_e(record.status)}</span></td><td>{' '.join(marks)}</td>"
        f"<td>{_num(record.close_size_dp)}</td><td>{_num(record.close_contrast)}</td>"
        f"<td>{_e(reason or '')}</td></tr>"
    )


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{css}</style></head>
<body>
{body}
<script>{js}</script>
</body></html>
"""

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:24px auto;
max-width:1200px;padding:0 16px;color:#222}
h1{margin:0 0 4px}h2{margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta,.note{color:#666}code{font-size:12px}
.tiles{display:flex;gap:12px;flex-wrap:wrap}
.tile{border-left:6px solid;background:#f7f7f7;padding:10px 16px;min-width:130px}
.tile .n{font-size:28px;font-weight:600}.tile .share{color:#666}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;
vertical-align:top}th{background:#fafafa}
.rules td.rate{position:relative;width:40%}.bar{display:inline-block;height:10px;background:#e57373;
margin-right:8px;vertical-align:middle;max-width:75%}
.charts{display:flex;gap:16px;flex-wrap:wrap}.charts img{flex:1 1 0;min-width:320px;max-width:100%;height:auto;border:1px solid #eee}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:14px}
.card{border:1px solid #ddd;border-radius:6px;overflow:hidden;background:#fff}
.card img{display:block;width:100%;max-height:420px;object-fit:contain;background:#222}
.card .cap{padding:6px 10px;font-size:12px}.card ul{margin:4px 0;padding-left:16px}
.nothumb{height:120px;display:flex;align-items:center;justify-content:center;background:#eee;color:#777}
.s{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px}
.r{font-size:11px;border-radius:3px;padding:0 4px;margin-right:3px;white-space:nowrap}
.r.fail{background:#ffcdd2}.r.warn{background:#ffe0b2}
.filters{margin:8px 0}#shown{color:#666;margin-left:12px}
"""

_JS = """
(function(){
  var rule=document.getElementById('rule'),status=document.getElementById('status');
  var rows=document.querySelectorAll('#results tbody tr'),shown=document.getElementById('shown');
  function apply(){
    var n=0;
    rows.forEach(function(tr){
      var ok=(!rule.value||JSON.parse(tr.dataset.rules).indexOf(rule.value)>=0)&&
             (!status.value||tr.dataset.status===status.value);
      tr.hidden=!ok; if(ok){n++;}
    });
    shown.textContent=n+' of '+rows.length+' shown';
  }
  rule.addEventListener('change',apply);status.addEventListener('change',apply);apply();
})();
"""
