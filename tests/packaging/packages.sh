#!/bin/sh
# The .deb and .rpm, made by CPack from the test's own build folder.
#   packages.sh build     cpack: both packages, fresh
#   packages.sh contents  file lists, modes, conffiles, dependencies, scripts;
#                         the packaged programs, man pages and completion work
#   packages.sh lintian   lintian on the .deb: no error
#   packages.sh systemd   systemd-analyze verify on the unit: no complaint
#   packages.sh install   as root on a dpkg machine: install the .deb, run the
#                         installed programs, remove, purge, nothing left
# Each skips (exit 77) with the reason when its tool or the machine is not
# there, and in a sanitizer build (the packages ship the plain build).
set -u
. "$PW_SOURCE/tests/lib/check.sh"
mode=${1:?usage: packages.sh build|contents|lintian|systemd|install}
out="$PW_BUILD/packages"
deb="$out/profwatch_${PW_VERSION}_amd64.deb"
rpm="$out/profwatch-${PW_VERSION}-1.x86_64.rpm"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

skip() {
    echo "SKIP: $*"
    exit 77
}
need() { # need TOOL...: skips when one is missing
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 ||
            skip "$t is not installed (packaging/setup.sh installs it)"
    done
}

[ "$PW_SANITIZED" = 1 ] && skip "sanitizer build: the packages are made and checked from the plain build"
[ "$(uname -m)" = x86_64 ] || skip "the package names below are those of x86_64"

# Every path each package ships, and the mode of each file.
files() {
    cat <<EOF
/etc/profwatch/profwatch.yaml 644
/usr/bin/profwatch 755
/usr/lib/systemd/system/profwatchd.service 644
/usr/sbin/profwatchd 755
/usr/share/bash-completion/completions/profwatch 644
/usr/share/doc/profwatch/changelog.gz 644
/usr/share/doc/profwatch/copyright 644
/usr/share/doc/profwatch/examples/kubernetes/Dockerfile 644
/usr/share/doc/profwatch/examples/kubernetes/README.md 644
/usr/share/doc/profwatch/examples/kubernetes/kustomization.yaml 644
/usr/share/doc/profwatch/examples/kubernetes/post-render.sh 644
/usr/share/doc/profwatch/examples/kubernetes/profwatch-configmap.yaml 644
/usr/share/doc/profwatch/examples/kubernetes/profwatchd-sidecar.yaml 644
/usr/share/doc/profwatch/examples/kubernetes/values.yaml 644
/usr/share/man/man1/profwatch.1.gz 644
/usr/share/man/man8/profwatchd.8.gz 644
/usr/share/profwatch/datadog/dashboard.json 644
/usr/share/profwatch/datadog/metadata.csv 644
/usr/share/profwatch/datadog/monitors.json 644
/usr/share/profwatch/datadog/service_checks.json 644
EOF
}

# "perm path" for each regular file of a `tar tv`-style listing ($1: the
# column of the path).
listing_files() {
    awk -v col="$1" '$1 ~ /^-/ {
        p = $col; sub(/^\.\//, "/", p)
        m = 0; s = substr($1, 2, 9)
        for (i = 0; i < 9; i++) m = m * 2 + (substr(s, i + 1, 1) != "-")
        printf "%s %o\n", p, m }' | sort
}

case $mode in
build)
    need cpack dpkg-deb rpmbuild
    rm -rf "$out"
    start=$(date +%s)
    # Installs the built programs into CPack's staging tree; builds nothing.
    (cd "$PW_BUILD" && "$PW_CPACK" -G "DEB;RPM") >"$dir/cpack.log" 2>&1
    rc=$?
    ok "cpack: exit 0" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || tail -20 "$dir/cpack.log"
    ok "cpack: no warning" sh -c "! grep -i 'warn' '$dir/cpack.log'"
    grep -i warn "$dir/cpack.log"
    ok "the .deb is made" test -s "$deb"
    ok "the .rpm is made" test -s "$rpm"
    echo "cpack: $(($(date +%s) - start)) s; $(du -k "$deb" | cut -f1) KiB .deb," \
        "$(du -k "$rpm" | cut -f1) KiB .rpm"
    finish packaging_build
    ;;

contents)
    need dpkg-deb rpm
    [ -s "$deb" ] && [ -s "$rpm" ] || { echo "FAIL: no packages in $out (packaging_build)"; exit 1; }
    files | sort >"$dir/want"
    dpkg-deb -c "$deb" | listing_files 6 >"$dir/deb"
    ok "the .deb ships exactly the expected files and modes" cmp "$dir/want" "$dir/deb"
    cmp -s "$dir/want" "$dir/deb" || diff "$dir/want" "$dir/deb"
    rpm -qlvp "$rpm" 2>/dev/null | listing_files 9 >"$dir/rpm"
    ok "the .rpm ships exactly the expected files and modes" cmp "$dir/want" "$dir/rpm"
    cmp -s "$dir/want" "$dir/rpm" || diff "$dir/want" "$dir/rpm"
    ok "the .deb ships no /var/lib/profwatch (made by postinst, holds user data)" \
        sh -c "! dpkg-deb -c '$deb' | grep -q 'var/lib'"
    ok "the .deb's files belong to root" sh -c "! dpkg-deb -c '$deb' | awk '{print \$2}' | grep -v '^root/root$'"
    ok "nothing goes into the Agent's own folders" \
        sh -c "! { dpkg-deb -c '$deb'; rpm -qlp '$rpm'; } | grep -e datadog-agent/ -e /opt/"

    # Control data: the conffile, the scripts, the libraries.
    mkdir "$dir/ctl"
    dpkg-deb -e "$deb" "$dir/ctl"
    ok ".deb conffiles: the config, nothing else" \
        sh -c "[ \"\$(cat '$dir/ctl/conffiles')\" = /etc/profwatch/profwatch.yaml ]"
    for s in postinst prerm postrm; do
        ok ".deb $s: executable, sh -n" sh -c "test -x '$dir/ctl/$s' && sh -n '$dir/ctl/$s'"
    done
    ok "postinst enables, never starts, on install" \
        sh -c "grep -v '^ *#' '$dir/ctl/postinst' >'$dir/postinst.code' &&
            grep -q 'deb-systemd-helper enable' '$dir/postinst.code' &&
            ! grep -qE 'invoke[^|]* start|systemctl [^|]*start' '$dir/postinst.code'"
    ok "postrm purge removes the state" grep -q 'rm -rf /var/lib/profwatch' "$dir/ctl/postrm"
    dep=$(dpkg-deb -f "$deb" Depends)
    for lib in libuv1 libcurl4 libprotobuf-c1 zlib1g libcjson1 libyaml-0-2 libdeflate0 libc6; do
        ok ".deb depends on $lib ($dep)" sh -c "echo '$dep' | grep -q '\\b$lib\\b'"
    done
    ok ".deb version is the project's" test "$(dpkg-deb -f "$deb" Version)" = "$PW_VERSION"
    ok ".rpm: the config is %config(noreplace)" \
        sh -c "rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' '$rpm' 2>/dev/null | grep -qx '/etc/profwatch/profwatch.yaml cn'"
    req=$(rpm -qp --requires "$rpm" 2>/dev/null | tr '\n' ' ')
    for lib in libuv libcurl protobuf-c zlib libdeflate cjson libyaml; do
        ok ".rpm requires $lib" sh -c "echo ' $req' | grep -q ' $lib '"
    done
    ok ".rpm requires no Debian-only symbol version ($req)" sh -c "! echo '$req' | grep -q CURL_OPENSSL"
    rpm -qp --scripts "$rpm" >"$dir/rpm.scripts" 2>/dev/null
    for s in postinstall preuninstall postuninstall; do
        ok ".rpm has a $s scriptlet" grep -q "^$s scriptlet" "$dir/rpm.scripts"
    done

    # What the package holds works: its programs, man pages, completion.
    mkdir "$dir/root"
    dpkg-deb -x "$deb" "$dir/root"
    r="$dir/root"
    ok "packaged profwatch --version" sh -c "'$r/usr/bin/profwatch' --version | grep -qx 'profwatch $PW_VERSION'"
    ok "packaged profwatchd --version" sh -c "'$r/usr/sbin/profwatchd' --version | grep -qx 'profwatchd $PW_VERSION'"
    for b in usr/bin/profwatch usr/sbin/profwatchd; do
        ok "packaged $b is stripped" sh -c "! readelf -S '$r/$b' | grep -q '\.symtab'"
    done
    ok "packaged config loads (the shipped example, every key)" \
        sh -c "'$r/usr/sbin/profwatchd' --check-config --config '$r/etc/profwatch/profwatch.yaml' 2>&1 | grep -qx 'config: $r/etc/profwatch/profwatch.yaml'"
    for m in man1/profwatch.1 man8/profwatchd.8; do
        if command -v man >/dev/null 2>&1; then
            LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$r/usr/share/man/$m.gz" >"$dir/man.out" 2>"$dir/man.err"
            ok "man $m renders without warnings" sh -c "test -s '$dir/man.out' && ! test -s '$dir/man.err'"
            cat "$dir/man.err"
            ok "man $m names the version" grep -q "profwatch $PW_VERSION" "$dir/man.out"
        fi
    done
    finish packaging_contents
    ;;

lintian)
    need lintian
    [ -s "$deb" ] || { echo "FAIL: no .deb in $out (packaging_build)"; exit 1; }
    # Errors and warnings (pedantic tags are shown, not judged).
    # --display-info: the info tags it always finds (no FORTIFY, ...) show
    # that it really looked at the package.
    lintian --display-info --pedantic --no-tag-display-limit "$deb" >"$dir/lintian" 2>&1
    rc=$?
    grep -E '^[EWIP]:' "$dir/lintian"
    ok "lintian: exit 0" test "$rc" -eq 0
    ok "lintian: no error" sh -c "! grep -q '^E:' '$dir/lintian'"
    ok "lintian: it read the package" grep -q '^[EWIP]: profwatch: ' "$dir/lintian"
    echo "lintian: $(grep -c '^E:' "$dir/lintian") errors, $(grep -c '^W:' "$dir/lintian") warnings"
    finish packaging_lintian
    ;;

systemd)
    need systemd-analyze
    unit="$PW_SOURCE/packaging/systemd/profwatchd.service"
    # verify checks that ExecStart exists: point it at this build's program.
    # It exits 0 even on an unknown key or a bad value, which it only
    # prints, so any output is a failure.
    sed "s#/usr/sbin/profwatchd#$PW_BIN/profwatchd#" "$unit" >"$dir/profwatchd.service"
    systemd-analyze verify --man=no "$dir/profwatchd.service" >"$dir/verify" 2>&1
    rc=$?
    cat "$dir/verify"
    ok "systemd-analyze verify: exit 0" test "$rc" -eq 0
    ok "systemd-analyze verify: nothing to say" test ! -s "$dir/verify"
    # A bad key must be reported, or the check above proves nothing.
    printf 'NoSuchKey=1\n' >>"$dir/profwatchd.service"
    systemd-analyze verify --man=no "$dir/profwatchd.service" >"$dir/verify2" 2>&1
    ok "systemd-analyze verify reports a bad key" grep -q NoSuchKey "$dir/verify2"
    for k in 'User=dd-agent' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
        'ReadWritePaths=/var/lib/profwatch' 'ProtectHome=yes' 'PrivateTmp=yes' \
        'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'Restart=on-failure' \
        'CapabilityBoundingSet=' 'ExecReload=/bin/kill -HUP $MAINPID'; do
        ok "unit has $k" grep -qxF "$k" "$unit"
    done
    ok "unit has no AmbientCapabilities granted" grep -qx 'AmbientCapabilities=' "$unit"
    # The status socket and the state must be in the writable folder.
    for key in state_dir reports_dir status_socket; do
        ok "conf.d default $key is under /var/lib/profwatch" \
            grep -qE "^$key: /var/lib/profwatch(/|\$)" "$PW_SOURCE/conf.d/profwatch.yaml"
    done
    if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
        systemd-analyze security --offline=yes "$dir/profwatchd.service" 2>/dev/null |
            grep 'Overall exposure'
    fi
    finish packaging_systemd
    ;;

install)
    need dpkg deb-systemd-helper
    [ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
    [ -s "$deb" ] || { echo "FAIL: no .deb in $out (packaging_build)"; exit 1; }
    if dpkg-query -W -f='${Status}' profwatch 2>/dev/null | grep -q 'installed\|config-files'; then
        skip "a profwatch package is already on this machine: not touching it"
    fi
    [ -e /etc/profwatch ] || [ -e /var/lib/profwatch ] &&
        skip "/etc/profwatch or /var/lib/profwatch exists: not touching a real installation"

    # What exists before, to compare with after the purge.
    snapshot() {
        find /etc /usr /var/lib /lib -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt \
            -o -path /var/cache -o -path /var/lib/systemd/deb-systemd-helper-enabled \
            -o -path /var/lib/systemd/deb-systemd-helper-masked \) -prune -o -print 2>/dev/null |
            sort
    }
    snapshot >"$dir/before"
    find /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked \
        -type f -o -type l 2>/dev/null | sort >"$dir/dsh.before"

    dpkg -i "$deb" >"$dir/install.log" 2>&1
    rc=$?
    ok "dpkg -i: exit 0" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || cat "$dir/install.log"
    ok "installed: /usr/bin/profwatch --version" \
        sh -c "/usr/bin/profwatch --version | grep -qx 'profwatch $PW_VERSION'"
    ok "installed: /usr/sbin/profwatchd --version" \
        sh -c "/usr/sbin/profwatchd --version | grep -qx 'profwatchd $PW_VERSION'"
    # The installed config, read from its default path. Without an Agent on
    # this machine there is nothing to watch (exit 2, said so); with one, 0.
    /usr/sbin/profwatchd --check-config >"$dir/check" 2>&1
    rc=$?
    cat "$dir/check"
    ok "installed: --check-config reads /etc/profwatch/profwatch.yaml" \
        grep -qx 'config: /etc/profwatch/profwatch.yaml' "$dir/check"
    ok "installed: --check-config exit 0, or 2 only for want of an Agent" \
        sh -c "test $rc -eq 0 || { test $rc -eq 2 && grep -q 'nothing to watch' '$dir/check'; }"
    # The same config with one target is valid: exit 0.
    sed 's|^targets: \[\]$|targets: [{name: example, url: "http://127.0.0.1:6060"}]|' \
        /etc/profwatch/profwatch.yaml >"$dir/one.yaml"
    ok "installed config has the 'targets: []' line to extend" grep -q '^targets: \[{' "$dir/one.yaml"
    /usr/sbin/profwatchd --check-config --config "$dir/one.yaml" >"$dir/check1" 2>&1
    rc=$?
    ok "installed: --check-config with a target: exit 0" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || cat "$dir/check1"
    ok "installed: the state folder exists, 0750" sh -c "stat -c %a /var/lib/profwatch | grep -qx 750"
    if getent passwd dd-agent >/dev/null 2>&1; then
        ok "installed: the state folder belongs to dd-agent" \
            sh -c "stat -c %U /var/lib/profwatch | grep -qx dd-agent"
    fi
    ok "installed: the service is enabled (its multi-user.target link)" \
        test -L /etc/systemd/system/multi-user.target.wants/profwatchd.service
    ok "installed: the service is not running (it starts once configured)" \
        sh -c "! pgrep -f '^/usr/sbin/profwatchd'"
    if command -v man >/dev/null 2>&1; then
        ok "installed: man profwatchd finds the page" sh -c "man -w profwatchd | grep -q profwatchd.8"
    fi
    echo "# local edit" >>/etc/profwatch/profwatch.yaml

    # State written by the daemon, then remove: programs go, config and state stay.
    mkdir -p /var/lib/profwatch/reports/capture-1
    echo x >/var/lib/profwatch/reports/capture-1/status.log
    dpkg -r profwatch >"$dir/remove.log" 2>&1
    ok "dpkg -r: exit 0" test $? -eq 0
    ok "removed: the programs are gone" test ! -e /usr/bin/profwatch -a ! -e /usr/sbin/profwatchd
    ok "removed: the config stays, with the local edit" grep -q '# local edit' /etc/profwatch/profwatch.yaml
    ok "removed: the state stays" test -f /var/lib/profwatch/reports/capture-1/status.log
    dpkg -P profwatch >"$dir/purge.log" 2>&1
    ok "dpkg -P: exit 0" test $? -eq 0
    ok "purged: the package is unknown to dpkg" \
        sh -c "! dpkg-query -W profwatch 2>/dev/null | grep -q ."
    snapshot >"$dir/after"
    ok "purged: nothing left behind" cmp "$dir/before" "$dir/after"
    cmp -s "$dir/before" "$dir/after" || diff "$dir/before" "$dir/after" | head -20
    find /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked \
        -type f -o -type l 2>/dev/null | sort >"$dir/dsh.after"
    ok "purged: no enablement state left" cmp "$dir/dsh.before" "$dir/dsh.after"
    cmp -s "$dir/dsh.before" "$dir/dsh.after" || diff "$dir/dsh.before" "$dir/dsh.after"
    finish packaging_install
    ;;
*)
    echo "packages.sh: unknown mode $mode" >&2
    exit 2
    ;;
esac
