import os

import pytest

from tests.support.stack import Stack


@pytest.fixture(scope="session")
def embedded_stack(django_db_setup):
    # Shared by every end-to-end test of a pytest worker: one slow run left by a test must not hold up the next test's runs.
    stack = Stack(mode="embedded", worker_concurrency=3).start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: scale-out tests skipped")
    import redis

    # A Redis database of its own per xdist worker, emptied first, so parallel stacks never share a queue.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = 10 + int(worker[2:])
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    scoped = f"{base}/{index}"
    redis.Redis.from_url(scoped).flushdb()
    return scoped


# ---- browser tests (Debian chromium through Playwright) --------------------------------------------


def _browser_unavailable(reason: str):
    if os.environ.get("EZFLOW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (EZFLOW_REQUIRE_BROWSER=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_executable():
    """Debian's chromium; skipped (or failed with EZFLOW_REQUIRE_BROWSER=1) when it or Playwright is missing."""
    from tests.e2e import browser as helpers

    if not helpers.CHROMIUM.exists():
        _browser_unavailable(f"{helpers.CHROMIUM} is missing: browser tests need Debian's chromium (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _browser_unavailable("the playwright Python package is not installed")
    return helpers.CHROMIUM


# Module scope: Playwright's sync API keeps an event loop running in this thread while it lives, and Django
# refuses database work from a thread with a running loop, so the browser must be gone before other modules run.
@pytest.fixture(scope="module")
def browser(browser_executable):
    """One headless chromium per module, driven through Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser import LAUNCH_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(browser_executable), headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(request):
    """Screenshots named test-artifacts/screenshots/<test-name>-<step>.png."""
    from tests.e2e.browser import Screenshots

    return Screenshots(request.node.name)


@pytest.fixture
def new_context(browser_executable, embedded_stack, browser, shots, request):
    """Factory for isolated browser contexts (one per person); every open page is captured if the test fails.

    Order matters: chromium is looked for first (no stack is started just to skip), and the stack before
    Playwright starts, because Django's test-database setup must not run in this thread once Playwright's
    event loop is installed (Django would raise SynchronousOnlyOperation).
    """
    from tests.e2e.browser import TIMEOUT_MS, watch_csp

    contexts = []
    page_errors: list[str] = []
    csp_violations: list[str] = []
    failed_before = request.session.testsfailed

    def make(**options):
        options = {"locale": "en-US", "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on("page", lambda page: page.on("pageerror", lambda error: page_errors.append(f"{page.url}: {error}")))
        watch_csp(context, csp_violations)
        contexts.append(context)
        return context

    make.page_errors = page_errors
    make.csp_violations = csp_violations
    yield make
    if request.session.testsfailed > failed_before:
        for c_index, context in enumerate(contexts):
            for p_index, page in enumerate(context.pages):
                try:
                    path = shots.take(page, f"failure-context{c_index}-page{p_index}", html=True)
                    print(f"failure screenshot: {path} ({page.url})")
                except Exception as exc:  # a broken page must not hide the real failure
                    print(f"could not capture context {c_index} page {p_index}: {exc}")
        if page_errors:
            print("JavaScript errors:\n" + "\n".join(page_errors))
    for context in contexts:
        context.close()
    if csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(csp_violations), pytrace=False)


@pytest.fixture
def page(new_context):
    """A page in a fresh browser context (desktop size, English)."""
    return new_context().new_page()
