# profwatch %postun ($1: 0 on erase, 1 on upgrade). rpm has no purge: the
# state and captures in /var/lib/profwatch stay after an erase, and an edited
# config is kept as profwatch.yaml.rpmsave. On upgrade a running daemon is
# restarted on the new binary.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart profwatchd.service >/dev/null 2>&1 || :
    fi
fi
exit 0
