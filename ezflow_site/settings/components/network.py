"""Where flows may connect (apps/core/network_policy.py; docs/security.md). Loopback, link-local and metadata,
unspecified and multicast addresses and the platform's own hosts are never reachable; these settings add to that."""

from .env import env

# Internal ranges organizations may put on their allow-list at all (default RFC 1918 and IPv6 unique-local).
EZFLOW_SSRF_ORGANIZATIONS_MAY_ALLOW = env.list(
    "EZFLOW_SSRF_ORGANIZATIONS_MAY_ALLOW", default=["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
)
# More ranges or host names no flow may ever reach (e.g. an internal admin network).
EZFLOW_SSRF_NEVER_ALLOW = env.list("EZFLOW_SSRF_NEVER_ALLOW", default=[])
# The platform's own hosts the settings do not name already (internal web addresses, load balancers, other services);
# the database, broker and channel-layer hosts, the base domain's internal address and this machine are included.
EZFLOW_SSRF_PLATFORM_HOSTS = env.list("EZFLOW_SSRF_PLATFORM_HOSTS", default=[])
# Tests only: loopback becomes a range organizations may allow, for the local fake servers tests call. Never in production.
EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS = env.bool("EZFLOW_SSRF_ALLOW_LOOPBACK_FOR_TESTS", default=False)
