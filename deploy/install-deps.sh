#!/usr/bin/env bash
# Installs everything needed to build, test, benchmark and run the appliance on Debian 12.
# Idempotent: packages already present are skipped without touching apt's lists.
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config clang-format
  # the fuzz step (tests/fuzz/run-fuzz.sh): clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # libraries named by the design
  libnetfilter-queue-dev libnftnl-dev libmnl-dev libyaml-dev prometheus-cpp-dev libcivetweb-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # the lab and its tools
  iproute2 nftables iptables arping iputils-ping curl nginx-light libnginx-mod-stream haproxy wrk socat
  procps kmod tcpdump
  # fragment_test.sh (a DF-fragment probe) and synflood_test.sh (the spoofed SYN flood), lvsadm_test.sh
  python3 hping3
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
