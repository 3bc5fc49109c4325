# profwatch %post ($1: 1 on install, 2 on upgrade): the state folder,
# ownership for the Agent's user (dd-agent, created by the Agent's package),
# and the service enabled on install but not started: it starts once
# configured (`systemctl start profwatchd`).
mkdir -p /var/lib/profwatch/reports
chmod 0750 /var/lib/profwatch /var/lib/profwatch/reports
if getent passwd dd-agent >/dev/null 2>&1; then
    chown dd-agent:dd-agent /var/lib/profwatch /var/lib/profwatch/reports
    if getent group dd-agent >/dev/null 2>&1; then
        chgrp dd-agent /etc/profwatch/profwatch.yaml
        chmod 0640 /etc/profwatch/profwatch.yaml
    fi
else
    echo "profwatch: the user dd-agent does not exist yet; install the Datadog Agent," >&2
    echo "profwatch: then reinstall profwatch to give it the state folder." >&2
fi
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -eq 1 ] && command -v systemctl >/dev/null 2>&1; then
    systemctl enable profwatchd.service >/dev/null 2>&1 || :
fi
exit 0
