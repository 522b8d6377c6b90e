#!/usr/bin/env python3
"""mkcpio.py - write a cpio archive in "newc" format (what Linux and the root-cell OS read as initrd).

    python3 guests/rootos/mkcpio.py -o initrd.cpio DIR               # every file under DIR
    python3 guests/rootos/mkcpio.py -o initrd.cpio etc/jailhouse/sys.cell=build/sys.cell motd=README.md
    python3 guests/rootos/mkcpio.py -o initrd.cpio DIR name=FILE ...  # both

Reproducible: members sorted by name, mtime/uid/gid 0, inode numbers in order, parent directories
added as members (mode 0755).  No external tools needed (Debian's `cpio -o -H newc` writes the same
format)."""
import argparse
import os
import sys


def header(ino, mode, size, namesize):
    fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, namesize, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def member(ino, name, mode, data):
    encoded = name.encode() + b"\0"
    out = header(ino, mode, len(data), len(encoded)) + encoded
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def collect(args):
    files = {}
    for arg in args:
        if "=" in arg:
            name, path = arg.split("=", 1)
            files[name.strip("/")] = path
        elif os.path.isdir(arg):
            for root, _, names in os.walk(arg):
                for n in names:
                    path = os.path.join(root, n)
                    files[os.path.relpath(path, arg).replace(os.sep, "/")] = path
        else:
            files[os.path.basename(arg)] = arg
    return files


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("inputs", nargs="+", help="DIR, FILE, or NAME=FILE")
    a = p.parse_args()
    files = collect(a.inputs)
    dirs = set()
    for name in files:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    entries = [(d, 0o040755, b"") for d in dirs]
    for name, path in files.items():
        with open(path, "rb") as f:
            entries.append((name, 0o100644, f.read()))
    entries.sort(key=lambda e: e[0])
    out = b"".join(member(i + 1, n, m, d) for i, (n, m, d) in enumerate(entries))
    out += member(0, "TRAILER!!!", 0, b"")
    out += b"\0" * (-len(out) % 512)
    with open(a.output, "wb") as f:
        f.write(out)
    print(f"{a.output}: {len(files)} files, {len(dirs)} directories, {len(out)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
