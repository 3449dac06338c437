"""The platform's outbound network policy, above every organization's allow-list of internal hosts.

Some addresses no organization may ever let its flows reach: loopback, link-local (cloud metadata), unspecified and
multicast addresses, the platform's own database, broker and web hosts, this machine. Of the other internal
addresses, organizations may allow only those inside the ranges the platform opens to them (RFC 1918 and IPv6
unique-local by default). Organization allow-lists are checked against this when saved and again on every connection
(apps/flows/http/guard.py), so an entry stored before a policy change cannot be used. Settings: docs/security.md.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

LOOPBACK = ("127.0.0.0/8", "::1/128")
NEVER_ALLOWED = (
    *LOOPBACK,
    "0.0.0.0/8",  # "this network": 0.0.0.0 reaches the local machine
    "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
    "100.100.100.200/32",  # Alibaba Cloud metadata
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, broadcast
    "::/128",
    "::ffff:0:0/96",  # IPv4-mapped (checked as the IPv4 address too)
    "64:ff9b::/96",  # NAT64: reaches IPv4 addresses, metadata included, through a gateway
    "64:ff9b:1::/48",
    "fe80::/10",  # link-local
    "fd00:ec2::254/128",  # AWS metadata over IPv6
    "ff00::/8",  # multicast
)
NEVER_ALLOWED_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")  # and their subdomains


def address_of(text: str) -> Address:
    ip = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _networks(entries) -> list[Network]:
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            continue
    return found


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def platform_host_names() -> tuple[str, ...]:
    """Hosts that are the platform itself, from the settings: database, broker, channel layer, web, this machine."""
    names = [database.get("HOST", "") for database in settings.DATABASES.values()]
    names += [_host_of(getattr(settings, name, "") or "") for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")]
    for layer in getattr(settings, "CHANNEL_LAYERS", {}).values():
        config = layer.get("CONFIG", {})
        names.append(config.get("HOST", ""))
        names += [_host_of(host) if isinstance(host, str) else "" for host in config.get("hosts", [])]
    names += [*settings.EZFLOW_SSRF_PLATFORM_HOSTS, socket.gethostname()]
    # A database reached over a unix socket names a directory: nothing a flow could connect to.
    return tuple(sorted({name.strip().lower().rstrip(".") for name in names if name and not name.startswith("/")}))


@cache
def _resolved(names: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for name in names:
        try:
            networks.append(ipaddress.ip_network(name))
            continue
        except ValueError:
            pass
        try:
            infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            continue  # not resolvable here: nothing to connect to either
        networks += [ipaddress.ip_network(address_of(info[4][0])) for info in infos]
    return tuple(networks)


@dataclass(frozen=True)
class Policy:
    never: tuple[Network, ...]
    never_names: frozenset[str]
    organizations_may_allow: tuple[Network, ...]

    def refuses(self, address: Address) -> bool:
        """Never reachable from flows, whatever an organization allows."""
        return any(address.version == network.version and address in network for network in self.never)

    def organizations_may_reach(self, address: Address) -> bool:
        if self.refuses(address):
            return False
        return any(address.version == network.version and address in network for network in self.organizations_may_allow)

    def refuses_name(self, name: str) -> bool:
        name = name.lower().rstrip(".")
        return any(name == never or name.endswith(f".{never}") for never in self.never_names)

    def entry_problem(self, entry: str) -> str | None:
        """Why an organization may not put this entry on its allow-list (translated), or None."""
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if self.refuses_name(entry):
                return _("“%(entry)s” cannot be allowed: it names this platform's own servers or this machine.") % {"entry": entry}
            return None
        if isinstance(network, ipaddress.IPv6Network) and network.subnet_of(ipaddress.ip_network("::ffff:0:0/96")):
            mapped = network.network_address.ipv4_mapped
            network = ipaddress.ip_network(f"{mapped}/{max(network.prefixlen - 96, 0)}", strict=False)
        if any(network.version == never.version and network.overlaps(never) for never in self.never):
            return _(
                "“%(entry)s” cannot be allowed: it includes addresses flows may never call (this platform's own servers, "
                "loopback, link-local or cloud metadata addresses)."
            ) % {"entry": entry}
        if not any(network.version == allowed.version and network.subnet_of(allowed) for allowed in self.organizations_may_allow):
            return _("“%(entry)s” cannot be allowed: organizations may allow only addresses inside %(ranges)s.") % {
                "entry": entry,
                "ranges": ", ".join(str(allowed) for allowed in self.organizations_may_allow),
            }
        return None


def policy() -> Policy:
    """The policy from the current settings (read on every use, so a changed setting applies at once)."""
    loopback_for_tests = settings.EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS
    loopback = _networks(LOOPBACK)
    never = _networks(NEVER_ALLOWED) + _networks(settings.EZFLOW_SSRF_NEVER_ALLOW)
    names = set(NEVER_ALLOWED_NAMES) | set(platform_host_names())
    never += list(_resolved(tuple(sorted(names | {entry for entry in settings.EZFLOW_SSRF_NEVER_ALLOW if not _networks([entry])}))))
    # The organizations' own web host: its public address is the public face anyone may call, but where it resolves
    # to an internal address (split-horizon DNS) that is the platform's web server behind the load balancer.
    web = settings.EZFLOW_BASE_DOMAIN.lower()
    names.add(web)
    never += [network for network in _resolved((web,)) if not network.network_address.is_global]
    may_allow = _networks(settings.EZFLOW_SSRF_ORGANIZATIONS_MAY_ALLOW)
    if loopback_for_tests:
        # Tests' local fake servers listen on 127.0.0.1; only a setting (never an organization) opens it.
        never = [network for network in never if not any(network.subnet_of(lo) for lo in loopback if lo.version == network.version)]
        may_allow += loopback
        names -= {*NEVER_ALLOWED_NAMES, web}
    return Policy(tuple(never), frozenset(names), tuple(may_allow))
