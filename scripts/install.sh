#!/usr/bin/env bash
# Installs Salur as a systemd service (Debian 12): binaries, unit, system user, folders, config example,
# man pages.
#   make install                     build (release) and install; run as root
#   DESTDIR=/tmp/stage scripts/install.sh   stage the files only (nothing is run against the system)
# An existing /etc/salur/salur.toml is never overwritten: the example then goes to salur.toml.example.
set -euo pipefail
cd "$(dirname "$0")/.."

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
BIN_DIR=${BIN_DIR:-.build/release}

for tool in salurd salurctl; do
  if [ ! -x "$BIN_DIR/$tool" ]; then
    echo "install.sh: $BIN_DIR/$tool is missing; run 'swift build -c release' (or 'make install') first" >&2
    exit 1
  fi
done

say() { printf '  %s\n' "$*"; }
echo "installing Salur into ${DESTDIR:-/}"

install -d -m 0755 "$DESTDIR$PREFIX/bin" "$DESTDIR/etc/systemd/system" "$DESTDIR$PREFIX/lib/sysusers.d" \
  "$DESTDIR$PREFIX/lib/tmpfiles.d" "$DESTDIR$PREFIX/share/doc/salur" "$DESTDIR$PREFIX/share/bash-completion/completions"
install -m 0755 "$BIN_DIR/salurd" "$BIN_DIR/salurctl" "$DESTDIR$PREFIX/bin/"
say "$PREFIX/bin/salurd, $PREFIX/bin/salurctl"
install -m 0644 systemd/salurd.service "$DESTDIR/etc/systemd/system/salurd.service"
say "/etc/systemd/system/salurd.service"
install -m 0644 systemd/salur.sysusers.conf "$DESTDIR$PREFIX/lib/sysusers.d/salur.conf"
install -m 0644 systemd/salur.tmpfiles.conf "$DESTDIR$PREFIX/lib/tmpfiles.d/salur.conf"
say "$PREFIX/lib/sysusers.d/salur.conf, $PREFIX/lib/tmpfiles.d/salur.conf"
install -m 0644 README.md config/salur.toml config/bpjs-rates.toml "$DESTDIR$PREFIX/share/doc/salur/"
"$BIN_DIR/salurctl" --generate-completion-script bash > "$DESTDIR$PREFIX/share/bash-completion/completions/salurctl"
say "$PREFIX/share/doc/salur/, bash completion for salurctl"
install -d -m 0755 "$DESTDIR$PREFIX/share/man/man1" "$DESTDIR$PREFIX/share/man/man5"
install -m 0644 man/salurctl.1 man/salurd.1 "$DESTDIR$PREFIX/share/man/man1/"
install -m 0644 man/salur.toml.5 "$DESTDIR$PREFIX/share/man/man5/"
install -m 0644 config/salur-alerts.yml "$DESTDIR$PREFIX/share/doc/salur/"
say "$PREFIX/share/man/man1/salurctl.1, salurd.1, $PREFIX/share/man/man5/salur.toml.5, example alert rules"

# The user and folders first, so the config can belong to salurd's group.
if [ -z "$DESTDIR" ]; then
  systemd-sysusers "$PREFIX/lib/sysusers.d/salur.conf"
  systemd-tmpfiles --create "$PREFIX/lib/tmpfiles.d/salur.conf"
  say "user and group salur, /etc/salur, /etc/salur/credentials, /var/lib/salur (2770, group salur)"
else
  install -d -m 0750 "$DESTDIR/etc/salur"
  install -d -m 0700 "$DESTDIR/etc/salur/credentials"
  install -d -m 2770 "$DESTDIR/var/lib/salur"
fi

config="$DESTDIR/etc/salur/salur.toml"
if [ -e "$config" ]; then
  install -m 0640 config/salur.toml "$config.example"
  say "/etc/salur/salur.toml kept; the current example is /etc/salur/salur.toml.example"
else
  install -m 0640 config/salur.toml "$config"
  say "/etc/salur/salur.toml (edit it: bank URL, partner id, client key, source account)"
fi
if [ -z "$DESTDIR" ]; then
  chgrp salur "$config" "$config.example" 2>/dev/null || chgrp salur "$config"
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  cat <<'NEXT'

next:
  1. put the bank credentials, root-only:
       install -m 0600 client_secret   /etc/salur/credentials/client_secret
       install -m 0600 private_key.pem /etc/salur/credentials/private_key.pem
  2. edit /etc/salur/salur.toml, then: salurctl --config /etc/salur/salur.toml config check
  3. systemctl enable --now salurd; salurctl daemon status; journalctl -u salurd
  4. give every operator (each maker and each checker) their own login in group salur, e.g.
       usermod -aG salur alice; usermod -aG salur budi
     they run salurctl as themselves (after logging in again), never as root or salur: the audit log
     names each of them, and a batch is approved by someone other than who queued it.
NEXT
fi
