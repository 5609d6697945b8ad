#!/bin/sh
# Removes devidence: the LaunchDaemon, binary, configuration, spool, state and the keychain
# entry. Logs in /Library/Logs/devidence are kept unless --all is given.
set -u
launchctl bootout system/com.devidence.agent 2>/dev/null || true
/usr/local/bin/devidence logout >/dev/null 2>&1 || true
rm -f /Library/LaunchDaemons/com.devidence.agent.plist /usr/local/bin/devidence
rm -rf "/Library/Application Support/devidence" /usr/local/share/devidence
pkgutil --forget com.devidence.agent >/dev/null 2>&1 || true
if [ "${1:-}" = "--all" ]; then rm -rf /Library/Logs/devidence; fi
echo "devidence removed"
