"""Audit a user's Kafka config against Kafka's rules and, optionally, their assessment.

`audit(text, name, role=None, report=None)` parses the config (audit_parse), decides its role
(audit_roles), runs the checks table (audit_checks) and, for librdkafka configs, asks the real client
(audit_client). It returns data: an `AuditResult` whose findings carry rule id, severity, line,
key, why, fix and source. Secrets are masked before anything leaves this module: a value of a key
that names a password, secret, token, JAAS config, keystore, truststore or basic-auth user info
is `********` in every result, in the shown source lines, and inside any message.

Pure: no Streamlit, no network, no files (the caller reads the file), no logging of values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import audit_checks as checks
from . import audit_names
from .audit_client import check as client_check
from .audit_parse import MAX_BYTES, Entry, Parsed, decode, parse
from .audit_roles import Role, resolve
from .model import SEVERITY_RANK, Report

MASK = "********"
SECRET_KEY = re.compile(r"password|passwd|secret|sasl\.jaas\.config|jaas|keystore|truststore|basic\.auth\.user\.info|"
                        r"user\.info|token|credential|api[._-]?key|private[._-]?key|ssl\.key\b|ssl_key|\.key\.pem|"
                        r"bearer", re.I)
_URL_USERINFO = re.compile(r"(://)([^/@\s]+)@")
_INLINE_SECRET = re.compile(r"(?i)((?:password|passwd|pwd|secret|token|apikey|api_key)\s*[=:]\s*)"
                            r"(\"[^\"]*\"|'[^']*'|[^&;\s,\"']+)")


def is_secret(key: str) -> bool:
    return bool(SECRET_KEY.search(key))


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # high, medium, low
    line: int | None
    key: str | None
    message: str  # why: the one text a finding shows
    fix: str
    source: str
    title: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "line": self.line, "key": self.key,
                "message": self.message, "fix": self.fix, "source": self.source}


@dataclass(frozen=True)
class AuditResult:
    name: str
    format: str
    role: Role
    findings: tuple[Finding, ...]
    settings: tuple[tuple[str, str, int], ...]  # (key, value with secrets masked, line)
    lines: tuple[str, ...]  # the source with secrets masked, for showing the offending lines
    notes: tuple[str, ...] = ()
    intent: checks.Intent | None = None
    masked: int = 0  # how many settings had their value masked

    def reaching(self, severity: str) -> list[Finding]:
        """Findings at or above `severity`."""
        limit = SEVERITY_RANK[severity]
        return [f for f in self.findings if SEVERITY_RANK[f.severity] <= limit]

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in checks.SEVERITIES}

    def excerpt(self, line: int | None, context: int = 1) -> list[tuple[int, str]]:
        """The masked source around a line, numbered from 1."""
        if line is None or not self.lines:
            return []
        lo, hi = max(1, line - context), min(len(self.lines), line + context)
        return [(n, self.lines[n - 1]) for n in range(lo, hi + 1)]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.name, "format": self.format, "role": self.role.role, "flavour": self.role.flavour,
            "role_reason": self.role.reason, "judged_against": self.intent.to_json() if self.intent else None,
            "counts": self.counts(), "findings": [f.to_json() for f in self.findings], "notes": list(self.notes),
            "settings": [{"key": k, "value": v, "line": n} for k, v, n in self.settings],
        }


# --------------------------------------------------------------------------- masking


@dataclass
class Masker:
    """Hides secret values: by key, inside URLs and `password=...` fragments, and wherever a secret value recurs."""

    secrets: set[str] = field(default_factory=set)

    def learn(self, entries: tuple[Entry, ...]) -> None:
        for e in entries:
            if is_secret(e.key) and e.value.strip() and "${" not in e.value:  # a placeholder names, never holds, a secret
                self.secrets.add(e.value.strip())
                # A JAAS line holds its password in quotes; learn the parts, so each is masked where it recurs.
                self.secrets.update(m.group(2).strip("\"'") for m in _INLINE_SECRET.finditer(e.value))
        self.secrets = {s for s in self.secrets if len(s) >= 4}  # shorter ones would mask ordinary words

    def value(self, key: str, value: str) -> str:
        if is_secret(key) and value.strip() and "${" not in value:
            return MASK
        return self.text(value)

    def text(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
        return _INLINE_SECRET.sub(lambda m: f"{m.group(1)}{MASK}", text)

    def lines(self, parsed: Parsed) -> tuple[str, ...]:
        lines = list(parsed.lines)
        for e in sorted((e for e in parsed.entries if is_secret(e.key)), key=lambda e: e.line):
            i = e.line - 1
            if not 0 <= i < len(lines) or not e.value.strip() or "${" in e.value:
                continue
            at = lines[i].find(e.key)
            value = e.value.strip()
            if at >= 0 and value in lines[i][at + len(e.key):] and not _continues(parsed.lines[i]):
                head, tail = lines[i][:at + len(e.key)], lines[i][at + len(e.key):]
                lines[i] = head + tail.replace(value, MASK)
                continue
            lines[i] = _mask_after_separator(lines[i])
            indent = len(lines[i]) - len(lines[i].lstrip())
            j = i
            # The value may go on: a properties continuation (\) or a YAML block scalar (deeper indentation).
            while j + 1 < len(lines) and (_continues(parsed.lines[j]) or _deeper(parsed.lines[j + 1], indent, parsed.format)):
                j += 1
                lines[j] = " " * (len(lines[j]) - len(lines[j].lstrip())) + MASK
        return tuple(self.text(line) for line in lines)


def _mask_after_separator(line: str) -> str:
    m = re.match(r"^(\s*[\"']?[\w.\-$]+[\"']?\s*[=:]\s*)(.*?)(,?)\s*$", line)
    if m is None:
        return MASK
    return f"{m.group(1)}{MASK}{m.group(3)}"


def _continues(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _deeper(line: str, indent: int, fmt: str) -> bool:
    return fmt == "yaml" and bool(line.strip()) and len(line) - len(line.lstrip()) > indent


# --------------------------------------------------------------------------- the audit


def audit(text: str, name: str, *, role: str | None = None, report: Report | None = None,
          real_client: bool = True) -> AuditResult:
    """Audit one config's text; an input problem raises AdvisorError (one line), never anything else."""
    parsed = parse(text, name)
    resolved_role = resolve(parsed, role, name)
    masker = Masker()
    masker.learn(parsed.entries)
    intent = checks.Intent.of(report) if report is not None else None
    table = checks.by_id()
    found: list[Finding] = []
    notes: list[str] = []
    for part in parsed.parts or (parsed,):  # a file of several topic commands: each topic on its own
        ctx = checks.Ctx(part, resolved_role, intent, masker.value)
        part_found = [Finding(check.id, check.severity, hit.line, hit.key, masker.text(hit.message),
                              masker.text(hit.fix or check.fix), hit.source or check.source, check.title)
                      for check, hit in checks.run_checks(ctx)]
        notes += [n for n in _notes(ctx) if n not in notes]
        if real_client and resolved_role.flavour == "librdkafka":
            part_found += _client_findings(ctx, part_found, table, masker, notes)
        found += part_found
    found.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.line if f.line is not None else 0, f.rule))
    settings = tuple((e.key, masker.value(e.key, e.value), e.line) for e in parsed.entries)
    return AuditResult(name, parsed.format, resolved_role, tuple(found), settings, masker.lines(parsed), tuple(notes),
                       intent, sum(1 for e in parsed.entries if is_secret(e.key)))


def audit_bytes(raw: bytes, name: str, **kwargs: Any) -> AuditResult:
    """An upload: the size cap, binary and encoding checks first (one line each), then `audit`."""
    return audit(decode(raw, name, max_bytes=MAX_BYTES), name, **kwargs)


def _notes(ctx: checks.Ctx) -> list[str]:
    notes = [f"role: {ctx.role.label}, {ctx.role.reason}"]
    own = [k for k in ctx.last if audit_names.connector_specific(ctx, k) and not audit_names.known(ctx, k)]
    if own:
        notes.append(f"{len(own)} connector-specific key(s) not checked against Kafka's names (e.g. {own[0]})")
    if ctx.intent is None:
        notes.append("no assessment loaded: intent and version checks did not run")
    return notes


def _client_findings(ctx: checks.Ctx, found: list[Finding], table: dict[str, checks.Check], masker: Masker,
                     notes: list[str]) -> list[Finding]:
    verdict = client_check(ctx.last, ctx.role.role)
    if verdict is None:
        notes.append("confluent-kafka is not installed: the real-client check did not run")
        return []
    covered = {f.key for f in found}
    out = []
    extra = f" ({len(verdict.skipped)} key(s) that name brokers, files, commands or secrets were not passed)" \
        if verdict.skipped else ""
    if verdict.error is not None:
        message, line, key = verdict.error
        if key not in covered or key is None:
            c = table["client-rejects"]
            out.append(Finding(c.id, c.severity, line, key, masker.text(f"{verdict.version} refuses this config: {message}."),
                               c.fix, c.source, c.title))
        notes.append(f"{verdict.version} refused the config{extra}")
    else:
        notes.append(f"{verdict.version} accepted the config{extra}")
    for message, line, key in verdict.warnings:
        if key is not None and key in covered:
            continue
        c = table["client-warns"]
        out.append(Finding(c.id, c.severity, line, key, masker.text(f"{verdict.version} warns: {message}."),
                           c.fix, c.source, c.title))
    return out


# --------------------------------------------------------------------------- text output


def text_report(result: AuditResult) -> str:
    """The findings as plain text lines (the CLI's default format); secrets are already masked."""
    head = f"{result.name}: {result.role.label} ({result.role.reason})"
    if result.intent is not None:
        head += "; judged against the assessment"
    out = [head]
    for f in result.findings:
        where = f"{result.name}:{f.line}" if f.line is not None else result.name
        out.append(f"{where}: {f.severity} {f.rule}: {f.message}")
        out.append(f"    fix: {f.fix}")
        out.append(f"    source: {f.source}")
    counts = result.counts()
    total = len(result.findings)
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    out.append(f"{total} finding{'s' if total != 1 else ''}" + (f": {summary}" if summary else ""))
    out += [f"note: {n}" for n in result.notes[1:]]
    return "\n".join(out) + "\n"
