#!/usr/bin/env python3
"""Reads a memcheck log of httpd (bench/soak phase 2) and fails when a
memcheck error or a definitely/indirectly lost block goes through
mod_accounts' code.

httpd, APR and libpq keep some memory until exit on purpose, and their own
reports are not ours to fix: a record counts when one of its stack frames
is in mod_accounts.so or in one of the C files of mod_accounts/ (the
module is built with -g, so frames name their file). Every record is
still counted and summarised, ours or not.
"""
import os
import re
import sys

TREE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUR_FILES = {f for _, _, files in os.walk(os.path.join(TREE, "mod_accounts"))
             for f in files if f.endswith(".c")}
FRAME_FILE = re.compile(r"\(([\w.-]+\.c):\d+\)")
PREFIX = re.compile(r"^==\d+== ?")


def records(path):
    """Blocks of lines between blank memcheck lines."""
    block = []
    with open(path, errors="replace") as f:
        for raw in f:
            line = PREFIX.sub("", raw.rstrip("\n"))
            if line.strip():
                block.append(line)
            elif block:
                yield block
                block = []
    if block:
        yield block


def is_ours(block):
    for line in block:
        if "mod_accounts.so" in line:
            return True
        m = FRAME_FILE.search(line)
        if m and m.group(1) in OUR_FILES:
            return True
    return False


def main():
    path = sys.argv[1]
    errors = leaks = ours = 0
    shown = 0
    summary = ""
    for block in records(path):
        head = block[0]
        for line in block:
            if line.startswith(("ERROR SUMMARY", "   definitely lost", "   indirectly lost")):
                summary += ("; " if summary else "") + line.strip()
        is_leak = re.search(r"are (definitely|indirectly) lost", head)
        is_error = head.startswith(("Invalid", "Conditional jump", "Use of uninitialised",
                                    "Syscall param", "Mismatched", "Source and destination",
                                    "Argument ", "Invalid free"))
        if not (is_leak or is_error):
            continue
        if is_leak:
            leaks += 1
        else:
            errors += 1
        if is_ours(block):
            ours += 1
            if shown < 10:
                print("\n".join(block), file=sys.stderr)
                print(file=sys.stderr)
                shown += 1
    print(f"valgrind: {errors} memcheck errors and {leaks} lost-block records in all"
          f" ({summary or 'no summary: did httpd exit cleanly?'}); through mod_accounts: {ours}")
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
