#!/usr/bin/env python3
"""DF-set fragments of one oversized UDP datagram, and the ICMP they draw (fragment_test.sh).

Usage: df_fragments_probe.py SRC DST PORT SIZE
Sends one UDP datagram of SIZE bytes (IP total length) from SRC to DST:PORT as fragments of at
most 1500 bytes, every fragment with DF set. The receiving kernel reassembles them into a
SIZE-byte packet that keeps DF (ip_frag_reasm(): every largest fragment had DF), the case in which
IPVS answers ICMP "fragmentation needed" instead of fragmenting. Waits up to 3 s for that ICMP
(type 3 code 4) quoting this datagram's IP ID and prints "frag-needed mtu=M from=A quote=Q", or
"none". Needs CAP_NET_RAW; run inside the client's namespace only.
"""
import os
import select
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main() -> int:
    src, dst, port, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ident = (os.getpid() & 0x7FFF) | 0x4000
    udp_len = size - 20
    payload = struct.pack("!HHHH", 40000 + ident % 1000, port, udp_len, 0) + b"x" * (udp_len - 8)
    rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    step = 1480
    for off in range(0, len(payload), step):
        chunk = payload[off:off + step]
        more = off + step < len(payload)
        frag = 0x4000 | (0x2000 if more else 0) | (off // 8)  # DF, MF, offset
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), ident, frag, 64, 17, 0,
                          socket.inet_aton(src), socket.inet_aton(dst))
        hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
        tx.sendto(hdr + chunk, (dst, 0))
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        ready, _, _ = select.select([rx], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        pkt, addr = rx.recvfrom(2048)
        ihl = (pkt[0] & 0x0F) * 4
        icmp = pkt[ihl:]
        if len(icmp) < 8 + 20 or icmp[0] != 3 or icmp[1] != 4:
            continue
        quoted = icmp[8:]
        if struct.unpack("!H", quoted[4:6])[0] != ident:
            continue
        mtu = struct.unpack("!H", icmp[6:8])[0]
        print("frag-needed mtu=%d from=%s quote=%d" % (mtu, addr[0], len(quoted)))
        return 0
    print("none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
