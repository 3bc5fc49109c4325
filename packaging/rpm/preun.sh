# profwatch %preun ($1: 0 on erase, 1 on upgrade): stop and disable on erase.
if [ "$1" -eq 0 ] && command -v systemctl >/dev/null 2>&1; then
    systemctl --no-reload disable --now profwatchd.service >/dev/null 2>&1 || :
fi
exit 0
