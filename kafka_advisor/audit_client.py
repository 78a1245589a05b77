"""What the real librdkafka client says about a config: construct a confluent-kafka client, no broker.

confluent-kafka validates names, values and conflicts when a client is created, and logs a CONFWARN
for a key meant for another client type. Only settings that cannot reach the outside are passed:
no brokers (so nothing connects), no files, paths, plugins, commands (`sasl.kerberos.kinit.cmd`),
SSL or SASL settings (so no secret is handed over and no file is read), and no test mock clusters.
The client's log goes to a private logger object that is never registered, so nothing is written
anywhere. confluent-kafka is optional: without it this returns None and the audit says so.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from .audit_parse import Entry

_UNSAFE = re.compile(r"bootstrap|broker\.list|location|path|plugin|kinit|kerberos|\bcmd\b|command|oauthbearer|"
                     r"sasl|ssl|https|engine|provider|interceptor|dns|^debug$|security\.protocol|^test\.|_cb$|^logger$|"
                     r"^on_|socket|resolve|\.url|password|secret|token|keystore|truststore", re.I)
_INDUCED = ("No `bootstrap.servers` configured",)  # a consequence of leaving the brokers out
_PROPERTY = re.compile(r'property "?([\w.\-]+)"?|`([\w.\-]+)`')


@dataclass(frozen=True)
class ClientVerdict:
    version: str  # "confluent-kafka 2.16.1 (librdkafka 2.16.0)"
    error: tuple[str, int | None, str] | None  # (message, line, key) when the client refused
    warnings: tuple[tuple[str, int | None, str | None], ...]  # (message, line, key)
    skipped: tuple[str, ...]  # keys not passed to the client


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def check(entries: dict[str, Entry], role: str) -> ClientVerdict | None:
    try:
        import confluent_kafka
        from confluent_kafka.admin import AdminClient
    except ImportError:
        return None
    conf = {k: e.value for k, e in entries.items() if not _UNSAFE.search(k) and "${" not in e.value}
    skipped = tuple(k for k in entries if k not in conf)
    capture = _Capture()
    logger = logging.Logger("kafka-advisor-audit-client")  # not from getLogger: never registered, never propagated
    logger.addHandler(capture)
    version = f"confluent-kafka {_first(confluent_kafka.version())} (librdkafka {_first(confluent_kafka.libversion())})"
    factory = {"producer": confluent_kafka.Producer, "consumer": confluent_kafka.Consumer, "admin": AdminClient}[role]
    error = None
    try:
        client = factory({**conf, "logger": logger})
        client.poll(0)  # the client's log reaches the logger only when it is served
        if isinstance(client, confluent_kafka.Consumer):
            client.close()
        del client
    except (confluent_kafka.KafkaException, ValueError, TypeError) as exc:
        raw = exc.args[0] if exc.args else exc
        message = raw.str() if hasattr(raw, "str") else str(raw)
        error = (message, *_where(message, entries))  # type: ignore[assignment]
    warnings = []
    for message in capture.messages:
        if "CONFWARN" not in message or any(s in message for s in _INDUCED):
            continue
        text = message.split("]: ", 1)[-1]
        line, key = _where(text, entries)
        warnings.append((text, line, key))
    return ClientVerdict(version, error, tuple(warnings), skipped)  # type: ignore[arg-type]


def _first(version: object) -> str:
    return str(version[0] if isinstance(version, tuple) else version)


def _where(message: str, entries: dict[str, Entry]) -> tuple[int | None, str | None]:
    """The line of the key a client message names (its first property that this file sets)."""
    for m in _PROPERTY.finditer(message):
        name = m.group(1) or m.group(2)
        for key, e in entries.items():
            if key == name or _alias(key) == name:
                return e.line, key
    return None, None


def _alias(key: str) -> str:
    return {"acks": "request.required.acks", "linger.ms": "queue.buffering.max.ms", "max.in.flight": "max.in.flight",
            "max.in.flight.requests.per.connection": "max.in.flight", "retries": "message.send.max.retries"}.get(key, key)
