"""Pages and the admin in a real browser (headless Chromium) under the strict CSP.

- conftest.py: `site` (the default render behind the router, with a TOTP-enrolled
  admin) and `browser` (Chromium through Playwright), each started once and stopped;
- test_browser.py: the pages, sign-in and the admin, with no CSP violation.

The harness behind them: tests/support/browser.py.
"""
