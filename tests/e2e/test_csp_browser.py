"""The Content-Security-Policy is enforced by the browser, and the browser tests see every refusal (watch_csp)."""

import pytest

pytestmark = pytest.mark.browser


def test_an_injected_inline_script_is_refused_and_reported(embedded_stack, new_context):
    page = new_context().new_page()
    page.goto(embedded_stack.url("localhost", "/signup/"))
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__injected = true";
            document.body.appendChild(script);
            const link = document.createElement("a");
            link.href = "javascript:window.__injected = true";
            document.body.appendChild(link);
            link.click();
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__injected") is None
    violations = new_context.csp_violations
    assert any("script-src" in line for line in violations), violations
    violations.clear()  # seen on purpose; any other refusal fails the test (tests/e2e/conftest.py)
    # The page's own script (the address preview) still works under the policy.
    page.locator("#id_organization").fill("Policy Test")
    assert page.locator("#id_slug").input_value() == "policy-test"
    assert new_context.csp_violations == []
