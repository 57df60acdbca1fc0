"""``kaderpers check --links`` against a local HTTP server (tests/link_server.py; loopback only).

The tree links to every endpoint from its Markdown, its raw HTML and its front matter; the
expected file and line of each finding is found by searching the written text, not by the
collector under test.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from kaderpers.cli import main
from kaderpers.core.findings import RULES, Level
from kaderpers.core.linkcheck import LinkOptions, Status, check_urls, headers_for, retry_after
from kaderpers.core.links import collect_links, is_external
from kaderpers.core.loader import load_tree
from link_server import LinkServer

SLOW = 10  # the slow endpoint's delay; the tree's conf.py sets a time-out of 3 s (room for a busy machine)

CONF = """\
kaderpers_link_timeout = 3
kaderpers_link_max_wait = 3
kaderpers_link_cache = "../cache/links.json"
"""

INDEX = """\
---
title: Start
---

# Start

Zie [goed](BASE/ok) en <BASE/missing>.

Een lange alinea die
over regels loopt met [weg](BASE/gone)
en [verhuisd][ref] daarna, en [binnen](andere.md) of [mail](mailto:a@b.nl).

[ref]: BASE/moved

```python
[code](BASE/missing-in-code)
```

Tekst met `[span](BASE/missing-in-span)` en <a href="BASE/slow">traag</a> inline.

!!! warning "Titel met een [link](BASE/gone?titel)"
    Tekst.

```{raw} html
<p>
  <a href="BASE/missing?raw">rauw</a>
</p>
```

```{image} BASE/missing?image
:alt: Een plaatje
```
"""

HULPMIDDEL = """\
---
title: Gereedschap
toelichting: Zie BASE/moved-308 voor meer.
sources:
  ADR:
  - IB.6
  - BASE/loop-a
---

# Gereedschap

!!! note "Let op"
    Een [bron](BASE/busy) in een blok.

<div class="kader">
  <a href="BASE/unavailable">503 en dan 200</a>
  <img src="BASE/no-head" alt="HEAD geweigerd">
</div>

[Met anker](BASE/anchors#present) en [zonder](BASE/anchors#absent), [tijdelijk](BASE/temporary).
[Oud anker](BASE/anchors#oud) en [regel 10](BASE/anchors#L10), geen anker maar een regel van een bestand.
"""

HULPMIDDEL_PATH = "voldoen-aan-wetten-en-regels/hulpmiddelen/gereedschap.md"
FINE = ["/ok", "/busy", "/unavailable", "/no-head", "/anchors", "/temporary"]


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with LinkServer(slow_seconds=SLOW) as running:
        yield running


def write_tree(root: Path, base: str, pages: dict[str, str], conf: str = CONF) -> Path:
    tree = root / "tree"
    for path, text in pages.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(text.replace("BASE", base), encoding="utf-8")
    if conf:
        (tree / "conf.py").write_text(conf, encoding="utf-8")
    return tree


def line_of(tree: Path, path: str, needle: str) -> int:
    """The line (from 1) of ``path`` whose text holds ``needle``, found by a plain search."""
    lines = (tree / path).read_text(encoding="utf-8").split("\n")
    found = [number for number, line in enumerate(lines, 1) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def check(tree: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, list[dict[str, object]], str]:
    status = main(["check", str(tree), "--links", "--format", "json", *options])
    captured = capsys.readouterr()
    findings = [f for f in json.loads(captured.out)["findings"] if str(f["rule"]).startswith(("link.", "config"))]
    return status, findings, captured.err


@pytest.fixture
def tree(tmp_path: Path, server: LinkServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_tree(tmp_path, server.base, {"index.md": INDEX, "andere.md": "# Andere\n", HULPMIDDEL_PATH: HULPMIDDEL})


def expected_findings(tree: Path) -> set[tuple[str, int, str]]:
    return {
        ("index.md", line_of(tree, "index.md", "/missing>"), "link.broken"),
        ("index.md", line_of(tree, "index.md", "/gone)"), "link.broken"),
        ("index.md", line_of(tree, "index.md", "[verhuisd][ref]"), "link.redirect"),  # a reference link: where it is used
        ("index.md", line_of(tree, "index.md", "/slow"), "link.timeout"),
        ("index.md", line_of(tree, "index.md", "/gone?titel"), "link.broken"),  # in a block's title
        ("index.md", line_of(tree, "index.md", "/missing?raw"), "link.broken"),  # in a {raw} html directive
        ("index.md", line_of(tree, "index.md", "/missing?image"), "link.broken"),  # an {image} directive
        (HULPMIDDEL_PATH, line_of(tree, HULPMIDDEL_PATH, "/moved-308"), "link.redirect"),
        (HULPMIDDEL_PATH, line_of(tree, HULPMIDDEL_PATH, "/loop-a"), "link.loop"),
    }


def test_check_links_reports_exactly_the_broken_links_and_permanent_redirects(tree: Path, server: LinkServer, capsys: pytest.CaptureFixture[str]) -> None:
    status, findings, err = check(tree, capsys)
    assert {(f["path"], f["line"], f["rule"]) for f in findings} == expected_findings(tree)
    assert status == 1  # broken links are errors
    moved = [f for f in findings if f["rule"] == "link.redirect"]
    assert {re.search(r"moved permanently to (\S+?);", str(f["message"]))[1] for f in moved} == {server.url("/new")}
    assert all(f["level"] == "warning" for f in moved)
    # the endpoints that fail once were asked again, and HEAD refused was followed by GET
    assert server.requests["HEAD", "/busy"] == 2 and server.requests["HEAD", "/unavailable"] == 2
    first, again = server.times["HEAD", "/busy"]
    assert again - first >= 0.9  # Retry-After: 1 was honoured (a lower bound: waiting longer is allowed)
    assert server.requests["HEAD", "/no-head"] == 1 and server.requests["GET", "/no-head"] == 1
    assert server.count("/missing-in-code") == 0 and server.count("/missing-in-span") == 0
    assert re.search(r"checked (\d+) of \1 links", err) and "external links" in err and "link settings:" in err


def test_anchors_are_checked_when_asked(tree: Path, server: LinkServer, capsys: pytest.CaptureFixture[str]) -> None:
    status, findings, _ = check(tree, capsys, "--links-anchors")
    anchor = {(f["path"], f["line"]) for f in findings if f["rule"] == "link.anchor"}
    assert anchor == {(HULPMIDDEL_PATH, line_of(tree, HULPMIDDEL_PATH, "/anchors#absent"))}
    assert {(f["path"], f["line"], f["rule"]) for f in findings if f["rule"] != "link.anchor"} == expected_findings(tree)
    assert server.requests["GET", "/anchors"] == 3  # each fragment read from the page itself (#L10 is a line, not an anchor)


def test_a_second_run_within_the_ttl_asks_nothing_about_links_that_were_fine(
    tree: Path, server: LinkServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = check(tree, capsys)[1]
    cache = tmp_path / "cache" / "links.json"  # kaderpers_link_cache, relative to conf.py's folder
    assert cache.is_file()
    assert all(server.count(path) > 0 for path in FINE)
    server.reset()
    second = check(tree, capsys)[1]
    assert {path: server.count(path) for path in FINE} == dict.fromkeys(FINE, 0)
    assert server.count("/missing") > 0 and server.count("/gone") > 0  # what was wrong is asked again
    assert second == first
    # once the entries are older than the time to live, they are asked again
    data = json.loads(cache.read_text())
    data["links"] = {url: {"checked": entry["checked"] - 2 * 24 * 3600} for url, entry in data["links"].items()}
    cache.write_text(json.dumps(data))
    server.reset()
    check(tree, capsys)
    assert all(server.count(path) > 0 for path in FINE)


def test_strict_fails_on_a_permanent_redirect_alone(
    tmp_path: Path, server: LinkServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    tree = write_tree(tmp_path, server.base, {"index.md": "# Start\n\n[oud](BASE/moved)\n"})
    status, findings, _ = check(tree, capsys)
    assert [(f["rule"], f["line"]) for f in findings] == [("link.redirect", 3)]
    assert status == 0
    assert check(tree, capsys, "--strict")[0] == 1


def test_a_cache_that_cannot_be_written_is_reported_and_the_check_goes_on(
    tmp_path: Path, server: LinkServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("")
    tree = write_tree(tmp_path, server.base, {"index.md": "# Start\n\n[weg](BASE/missing)\n"}, "kaderpers_link_cache = '../a-file/links.json'\n")
    status, findings, err = check(tree, capsys)
    assert [f["rule"] for f in findings] == ["link.broken"] and status == 1
    assert f"the cache {tmp_path / 'a-file' / 'links.json'} cannot be written" in err


def test_links_are_checked_only_when_asked(tree: Path, server: LinkServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tree), "--format", "json"]) == 0
    assert not [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"].startswith("link.")]
    assert sum(server.requests.values()) == 0


def test_isolated_never_runs_the_trees_conf_py(tmp_path: Path, server: LinkServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "ran"
    conf = f"open({str(marker)!r}, 'w').close()\nkaderpers_link_skip_hosts = ['127.0.0.1']\n"
    tree = write_tree(tmp_path, server.base, {"index.md": "# Start\n\n[weg](BASE/missing)\n"}, conf)
    status, findings, err = check(tree, capsys, "--isolated")
    assert not marker.exists()
    assert "is not run" in err
    assert [f["rule"] for f in findings] == ["link.broken"]  # the defaults: nothing skipped
    status, findings, _ = check(tree, capsys)
    assert marker.exists()
    assert findings == [] and status == 0  # conf.py skips the host


def test_settings_skip_hosts_and_patterns_and_send_headers_per_host(
    tmp_path: Path, server: LinkServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    conf = (
        "kaderpers_link_skip_patterns = [r'/gone$']\n"
        "kaderpers_link_skip_hosts = ['example.invalid']\n"
        "kaderpers_link_headers = {'127.0.0.1': {'User-Agent': 'Mozilla/5.0 (kaderpers test)'}}\n"
        "kaderpers_link_budget = 'many'\n"
    )
    pages = {"index.md": "# Start\n\n[a](BASE/gone) [b](https://sub.example.invalid/x) [c](BASE/ok)\n"}
    tree = write_tree(tmp_path, server.base, pages, conf)
    status, findings, _ = check(tree, capsys)
    assert [(f["rule"], f["path"]) for f in findings] == [("config", "conf.py")]  # named as the pages are, from the tree
    assert "kaderpers_link_budget" in str(findings[0]["message"])
    assert server.count("/gone") == 0 and server.count("/ok") == 1
    assert server.agents == ["Mozilla/5.0 (kaderpers test)"]


def test_failures_before_an_answer_are_told_apart(server: LinkServer) -> None:
    closed = LinkServer()  # a port that was bound and is closed again: nothing listens there
    closed.httpd.server_close()
    urls = {
        "http://no-such-host.invalid/": Status.DNS,
        server.url("/ok").replace("http://", "https://"): Status.TLS,  # TLS spoken to a plain HTTP server
        closed.base + "/": Status.UNREACHABLE,
        server.url("/slow"): Status.TIMEOUT,
    }
    report = check_urls(urls, LinkOptions(timeout=3))
    assert {url: outcome.status for url, outcome in report.outcomes.items()} == urls
    words = {outcome.status: outcome.detail for outcome in report.outcomes.values()}
    assert "does not resolve" in words[Status.DNS] and "TLS" in words[Status.TLS]
    assert "refuses the connection" in words[Status.UNREACHABLE] and "time-out" in words[Status.TIMEOUT]
    assert {RULES[f"link.{status}"].level for status in ("tls", "dns", "unreachable")} == {Level.ERROR}


def test_retry_after_pauses_every_request_to_the_host(server: LinkServer) -> None:
    urls = [server.url("/busy")] + [server.url(f"/bulk/{n}") for n in range(5)]
    report = check_urls(urls, LinkOptions(per_host=1))
    assert all(outcome.status is Status.OK for outcome in report.outcomes.values())
    asked_to_wait = server.times["HEAD", "/busy"][0]
    later = [moment for (_, path), moments in server.times.items() if path.startswith("/bulk/") for moment in moments]
    assert len(later) == 5 and min(later) - asked_to_wait >= 0.9  # Retry-After: 1 held for the whole host


def test_a_host_whose_name_does_not_resolve_is_looked_up_for_one_link_only() -> None:
    urls = [f"http://no-such-host.invalid/{n}" for n in range(10)]
    report = check_urls(urls, LinkOptions(per_host=1))
    assert {outcome.status for outcome in report.outcomes.values()} == {Status.DNS}
    assert report.requests == 1


def test_urls_that_cannot_be_sent_are_findings_not_crashes(server: LinkServer) -> None:
    urls = [server.url("/ok\x00"), "http://127.0.0.1:99999/", "http://[::1/", server.url("/ok")]
    report = check_urls(urls, LinkOptions())
    assert [report.outcomes[url].status for url in urls] == [Status.UNREACHABLE, Status.UNREACHABLE, Status.UNREACHABLE, Status.OK]
    assert "cannot be requested" in report.outcomes[urls[0]].detail


def test_the_request_budget_leaves_the_rest_unchecked(server: LinkServer) -> None:
    urls = [server.url(f"/bulk/{n}") for n in range(10)]
    report = check_urls(urls, LinkOptions(budget=4, per_host=1))
    statuses = [outcome.status for outcome in report.outcomes.values()]
    assert statuses.count(Status.OK) == 4 and statuses.count(Status.UNCHECKED) == 6
    assert sum(server.requests.values()) == 4 == report.requests


@pytest.mark.parametrize(("per_host", "links"), [(1, 30), (4, 120)])
def test_never_more_requests_open_to_a_host_than_the_limit(per_host: int, links: int) -> None:
    with LinkServer(bulk_delay=0.05) as server:  # each answer takes a while, so the requests overlap
        urls = [server.url(f"/bulk/{n}") for n in range(links)]
        report = check_urls(urls, LinkOptions(per_host=per_host))
        assert all(outcome.status is Status.OK for outcome in report.outcomes.values())
        assert sum(server.requests.values()) == links
        assert server.max_open <= per_host
        if per_host > 1:
            assert server.max_open > 1  # the requests are concurrent


def test_retry_after_in_seconds_or_as_a_date_is_capped() -> None:
    now = time.time()
    in_20_s = format_datetime(datetime.fromtimestamp(now, UTC) + timedelta(seconds=20), usegmt=True)
    assert retry_after("7", 0, 60) == 7
    assert 18 <= retry_after(in_20_s, 0, 60, now) <= 21
    assert retry_after("3600", 0, 60) == 60  # capped
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 0, 60, now) == 0  # a date in the past
    assert [retry_after(None, attempt, 60) for attempt in range(3)] == [1, 2, 4]  # doubling back-off
    assert retry_after("soon", 1, 60) == 2


def test_headers_for_a_host_include_its_subdomains_and_the_defaults() -> None:
    options = LinkOptions(headers={"*": {"Accept-Language": "nl"}, "overheid.nl": {"User-Agent": "Browser"}})
    assert headers_for("https://www.overheid.nl/x", options)["User-Agent"] == "Browser"
    assert headers_for("https://www.overheid.nl/x", options)["Accept-Language"] == "nl"
    assert headers_for("https://example.nl/", options)["User-Agent"].startswith("kaderpers")


@pytest.mark.upstream
def test_the_collector_finds_the_real_trees_external_links(upstream_tree: Path) -> None:
    links = collect_links(load_tree(upstream_tree))
    distinct = {link.url for link in links}
    assert 300 <= len(distinct) < 1000
    assert all(link.path and link.line for link in links)
    for link in links:  # the link starts on the line given: the URL follows there or on the next line (a text that wraps)
        lines = (upstream_tree / link.path).read_text(encoding="utf-8").split("\n")
        assert link.url in "\n".join(lines[link.line - 1 : link.line + 1]), (link, lines[link.line - 1])
    # every URL written as an inline Markdown link `](https://…)` outside code, found independently
    written = set()
    for path in upstream_tree.rglob("*.md"):
        text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        written |= set(re.findall(r"\]\((https?://[^()\s]+)\)", text))  # (a URL without parentheses)
    assert len(written) >= 300
    assert written - distinct == set()


def test_only_http_and_https_with_a_host_are_external() -> None:
    assert is_external("https://a.nl/x") and is_external("HTTP://a.nl")
    assert not any(is_external(url) for url in ("mailto:a@b.nl", "andere.md", "#top", "/abs", "https://", "ftp://a.nl/"))


def test_a_build_never_loads_the_http_client() -> None:
    """Links are checked by `check --links` only: the build's modules (its configuration with the link
    settings included) load no HTTP client, so no build asks the web."""
    import subprocess
    import sys

    modules = "kaderpers, kaderpers.sphinxext.config, kaderpers.cli.build, kaderpers.site.html, kaderpers.core.links"
    code = f"import sys, {modules}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
