#!/usr/bin/python3
"""snmpd pass_persist backend serving an snmpsim-style .snmprec file
(OID|TAG|VALUE lines; tags: 2 Integer32, 4 OCTET STRING, 4x hex octets,
6 OID, 64 IpAddress, 65 Counter32, 66 Gauge32, 67 TimeTicks, 70 Counter64).
SETs are appended to the log file given as the second argument and stored."""

import sys

TYPES = {"2": "integer", "4": "string", "4x": "octet", "6": "objectid", "64": "ipaddress",
         "65": "counter", "66": "gauge", "67": "timeticks", "70": "counter64"}


def key(oid):
    return tuple(int(x) for x in oid.strip(".").split(".") if x != "")


def load(path):
    data = {}
    with open(path, encoding="utf-8") as f:
        for ln in f:
            ln = ln.rstrip("\n")
            if not ln or ln.startswith("#"):
                continue
            oid, tag, value = ln.split("|", 2)
            if tag == "4x":
                value = " ".join(value[i:i + 2] for i in range(0, len(value), 2))
            data[key(oid)] = (TYPES[tag], value)
    return data


def main():
    data = load(sys.argv[1])
    setlog = sys.argv[2] if len(sys.argv) > 2 else None
    order = sorted(data)
    out = sys.stdout
    while True:
        cmd = sys.stdin.readline()
        if not cmd:
            return
        cmd = cmd.strip()
        if cmd == "PING":
            out.write("PONG\n")
        elif cmd in ("get", "getnext"):
            k = key(sys.stdin.readline())
            found = None
            if cmd == "get":
                found = k if k in data else None
            else:
                for o in order:
                    if o > k:
                        found = o
                        break
            if found is None:
                out.write("NONE\n")
            else:
                t, v = data[found]
                out.write("." + ".".join(map(str, found)) + "\n" + t + "\n" + v + "\n")
        elif cmd == "set":
            oid = sys.stdin.readline().strip()
            tv = sys.stdin.readline().strip()
            if setlog:
                with open(setlog, "a") as f:
                    f.write(oid + " " + tv + "\n")
            out.write("DONE\n")
        out.flush()


if __name__ == "__main__":
    main()
