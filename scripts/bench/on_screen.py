#!/usr/bin/python3
"""When a region of the X display took on the content it ends with.

    on_screen.py X Y WIDTH HEIGHT SECONDS

Prints "watching" once it can read the display, then reads the region every few milliseconds for
SECONDS and prints the wall-clock time (ms since the epoch) of the first reading from which it
stayed as it ends: when what the user sees there was painted. Uses DISPLAY (python3-xlib).
"""
import sys
import time
import zlib

from Xlib import X, display


def main() -> None:
    x, y, width, height = (int(float(v)) for v in sys.argv[1:5])
    end = time.time() + float(sys.argv[5])
    root = display.Display().screen().root
    print("watching", flush=True)
    settled_at, last = time.time(), None
    while time.time() < end:
        now = time.time()
        content = zlib.crc32(root.get_image(x, y, width, height, X.ZPixmap, 0xFFFFFFFF).data)
        if content != last:
            settled_at, last = now, content
        time.sleep(0.004)
    print(round(settled_at * 1000))


if __name__ == "__main__":
    main()
