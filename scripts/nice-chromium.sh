#!/usr/bin/env bash
# Chromium below the servers' CPU priority, for the call benchmarks on one box: in a real call the browsers run on
# people's own machines, and here four of them saturate both cores, so that every thread hop of the servers waits
# in a run queue full of video encoders. Used the same way for ours and the course app's harness, so the
# comparison stays fair. BROWSER_NICE (default 10), CHROMIUM (default /usr/bin/chromium).
exec nice -n "${BROWSER_NICE:-10}" "${CHROMIUM:-/usr/bin/chromium}" "$@"
