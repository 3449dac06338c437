import shutil

import pytest

from tests.browser.site import Site

pytestmark = pytest.mark.skipif(not shutil.which("/usr/bin/chromium"), reason="needs Debian's chromium (.ci/run installs it)")


@pytest.fixture(scope="module")
def site():
    with Site() as portal, Site("127.0.0.2") as outside:
        portal.outside = outside
        yield portal


@pytest.fixture
def fresh_site(site):
    site.requests.clear()
    site.outside.requests.clear()
    return site
