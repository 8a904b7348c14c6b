#!/usr/bin/env bash
# Chromium below the servers' CPU priority, for the call benchmarks on one box: in a real call the browsers run on
# people's own machines, and here four of them saturate both cores, so that every thread hop of the servers waits
# in a run queue full of video encoders. Used the same way for ours and the course app's harness, so the
# comparison stays fair. BROWSER_NICE (default 10), CHROMIUM (default /usr/bin/chromium).
#
# `nice` alone does not hold: Chromium run as root raises its own threads again (audio, compositor, IO and media
# threads to nice -8, audio output to real-time round robin; seen with `ps -eLo ni,cls,comm`). Without
# CAP_SYS_NICE it cannot, so it is dropped from the bounding set when that can be done.
args=(nice -n "${BROWSER_NICE:-10}" "${CHROMIUM:-/usr/bin/chromium}" "$@")
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  exec setpriv --bounding-set -sys_nice --inh-caps -sys_nice "${args[@]}"
fi
exec "${args[@]}"
