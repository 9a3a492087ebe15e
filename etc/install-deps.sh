#!/usr/bin/env bash
# Installs every Debian package ubapi needs to build, test and run its demo.
# Idempotent: when everything is already installed it does not touch apt at all.
set -euo pipefail

packages=(
  # build
  gcc make cmake pkg-config git
  libfcgi-dev libmariadb-dev libcjson-dev libcurl4-openssl-dev libssl-dev
  libsnmp-dev libpcap-dev
  # private test/demo stack (etc/stack.sh)
  mariadb-server mariadb-client nginx-light spawn-fcgi curl
  # tests: real snmpd, load generator, leak checks, Python harness
  snmpd snmp wrk valgrind python3 python3-pymysql iproute2
  # device tests: drop rules on lo for "dead" hosts; ping for the bench baseline
  nftables iputils-ping
  # fullhostscan: the real nmap against loopback networks
  nmap
  # the Apache snippet (etc/apache/ubapi.conf) in a real Apache: test_apache.py
  apache2
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ((EUID != 0)); then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run this script as root to install them" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# The package scripts of mariadb-server, nginx, apache2 and snmpd would start
# system services (nginx and apache2 on 0.0.0.0:80). ubapi only uses its
# private loopback stack, so services are kept from starting while we
# install, unless the machine already has a policy of its own.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  own_policy=1
fi
cleanup() { if ((own_policy)); then rm -f "$policy"; fi; }
trap cleanup EXIT

echo "install-deps: installing ${missing[*]}"
apt_install() {
  apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >/dev/null
}
# A fresh machine may have no package lists, or stale ones: update only then.
if ! apt_install; then
  apt-get update -qq >/dev/null
  apt_install
fi
echo "install-deps: done"
