#!/usr/bin/env bash
# bench/windows-wine.sh: what one `collect` costs on Windows, measured under Wine 8 on Linux.
#
#   usage: bench/windows-wine.sh NEW.exe [OLD.exe]   (e.g. an exe from installers/windows/build-exe,
#          and one built the same way from an older commit, to compare)
#
# Method, per exe, in one fresh headless Wine prefix (a persistent wineserver, so its start-up is
# not counted), with the test-only ProcessPrng shim (installers/windows/wine/processprng.c):
#  1. processes the agent starts: the command observations of one collect's findings.json (every
#     command the plans ran, whether or not Wine has the program), and, from the same run's
#     `WINEDEBUG=+pid,+process` trace, the processes Wine actually started whose parent is the
#     agent's own Wine pid (Wine has reg.exe, sc.exe and a powershell.exe stub, but neither
#     powercfg.exe nor manage-bde.exe);
#  2. wall time and peak resident set: `/usr/bin/time -f '%e %M'` around `wine EXE collect`,
#     5 runs, the median of each. %M is the largest resident set among the process and the
#     children it waited for, so an old exe's reg.exe/powershell.exe children count there too.
# Wine's numbers are not Windows': Wine's DLLs are larger and WMI runs in the agent's process
# (wbemprox) instead of the WinMgmt service. They compare two builds on the same footing.
set -euo pipefail
[ $# -ge 1 ] || { sed -n 2,4p "$0"; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'WINEPREFIX=$work/wine wineserver -k 2>/dev/null || :; rm -rf "$work"' EXIT
export WINEPREFIX=$work/wine WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='
unset DISPLAY WAYLAND_DISPLAY
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$work/bcryptprimitives.dll" \
  "$repo/installers/windows/wine/processprng.c" -ladvapi32
timeout 300 wineboot -i >/dev/null 2>&1
timeout 120 wineserver -w
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
wineserver -p
for exe in "$@"; do
  cp "$exe" "$work/agent.exe"
  out="Z:${work//\//\\}\\out"
  WINEDEBUG=+pid,+process timeout 600 wine "$work/agent.exe" collect --out "$out" \
    >/dev/null 2>"$work/trace" || :
  planned=$(jq '[.findings[].observations[] | select(.kind == "command")] | length' "$work/out/findings.json")
  # The wineserver and Wine's services were started before with tracing off, so the first
  # traced process is the agent itself.
  agent_pid=$(grep -a -m1 ':trace:' "$work/trace" | cut -d: -f1 || :)
  started=$(grep -a 'CreateProcessInternalW started process' "$work/trace" | cut -d: -f1 | grep -cx "${agent_pid:-none}" || :)
  rm -rf "$work/out"
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f '%e %M' -o "$work/t" timeout 600 wine "$work/agent.exe" collect --out "$out" >/dev/null 2>&1 || :
    cat "$work/t"; rm -rf "$work/out"
  done >"$work/times"
  wall=$(cut -d' ' -f1 "$work/times" | sort -n | sed -n 3p)
  rss=$(cut -d' ' -f2 "$work/times" | sort -n | sed -n 3p)
  printf '%s: commands run %s, processes Wine started for it %s, wall %s s, peak RSS %s MiB (medians of 5)\n' \
    "$(basename "$exe")" "$planned" "$started" "$wall" "$(awk "BEGIN {printf \"%.1f\", $rss / 1024}")"
done
