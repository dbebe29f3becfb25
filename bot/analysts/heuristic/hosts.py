"""Which hosts a failing line calls, and whether they are ours.

'Confirm with the provider' is only advice when the host belongs to someone else. A line that
names `orders-worker.orders.svc.cluster.local`, `ip-10-20-7-88.eu-west-1.compute.internal` or
`10.20.31.5:6379` is about our own cluster; one that names the virtual host it served
(`server: www.shop.example`) or the certificate it presented (`cn=...`) names us, not a callee;
and `jdk.internal.reflect` in a stack frame is a Java package, not a host at all.
"""

from __future__ import annotations

import ipaddress
import re

_TLDS = r"com|net|io|org|example|cloud|dev|co|internal|local|svc|app|ai|biz|info|us|uk|de|eu|fr|nl"
# a dotted host name, not followed by more of a dotted identifier (a Java package or a class)
# nor by '(' (a stack frame's method)
HOST = re.compile(
    rf"(?<![\w.@-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS}))(?![\w-]|\.[A-Za-z_]|\()",
    re.I,
)
# field names whose value is us: the virtual host served, the certificate presented, the caller
# (nginx's error lines describe the incoming request as `client: ..., server: ..., host: "..."`)
_OWN_FIELD = re.compile(
    r"(?:(?:\bserver|\bvhost|\bserver_name|\bhost_header|\bcn|\bsubject|\bclient|\bremote_addr|\bsni|\borigin"
    r"|\breferr?er)\s*[:=]\s*\"?|\bhost:\s*\")$",
    re.I,
)
_IP = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?(?![\d.])")
_INTERNAL_SUFFIX = (
    ".local", ".internal", ".svc", ".cluster.local", ".lan", ".intranet", ".corp", ".consul", ".home.arpa",
    ".localdomain",
)


def is_internal(host: str) -> bool:
    """A host inside our own network: cluster DNS, cloud-internal names, private addresses."""
    h = host.lower().rstrip(".")
    if h in ("localhost",) or "." not in h:
        return True
    if h.endswith(_INTERNAL_SUFFIX) or ".svc." in h:
        return True
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local


def hosts_in(text: str) -> list[str]:
    """Host names a line calls (lowercase, in order, once each); the names that are us left out."""
    out: list[str] = []
    for m in HOST.finditer(text or ""):
        if _OWN_FIELD.search(text[max(0, m.start() - 16) : m.start()]):
            continue
        h = m.group(1).lower()
        if h not in out:
            out.append(h)
    return out


def external_hosts(text: str) -> list[str]:
    """Hosts that belong to someone else: a provider, a partner, a SaaS API."""
    return [h for h in hosts_in(text) if not is_internal(h)]


def internal_targets(text: str) -> list[str]:
    """In-cluster hosts and private addresses a line names: our own backends and infrastructure."""
    out = [h for h in hosts_in(text) if is_internal(h)]
    for m in _IP.finditer(text or ""):
        try:
            ip = ipaddress.ip_address(m.group(1))
        except ValueError:
            continue
        if (ip.is_private or ip.is_loopback) and m.group(1) not in out:
            out.append(m.group(1))
    return out
