#!/usr/bin/env bash
# Gets headless Chromium and its chromedriver for tests/report_tests/test_browser.py where it can
# (Debian or Ubuntu, as root, with the package registry reachable). Elsewhere it says why and exits 0:
# the test then skips, naming what is missing.
set -u
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    echo "get_chromium: found $(command -v chromium) and $(command -v chromedriver)"
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "get_chromium: installing chromium and chromium-driver with apt-get ..."
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; then
        echo "get_chromium: installed"
        exit 0
    fi
    echo "get_chromium: apt-get could not install chromium; the browser test will skip"
else
    echo "get_chromium: no chromium here and no way to install it (needs root and apt-get); the browser test will skip"
fi
exit 0
