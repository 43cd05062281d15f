#!/usr/bin/python3
"""What the e2e tests see of the desktop around Berth's window, as a user would: the tray host's
icons (X windows embedded in trayer), the screen (a PNG of the X root window), the tray menu's
items (through AT-SPI, the accessibility bus screen readers use) and the window manager's close
request. Run with Debian's python3 (python3-xlib, python3-gi, gir1.2-atspi-2.0). Answers JSON.

  desktop.py tray-icons                 icons in the tray host: [{x, y, width, height, class}]
  desktop.py screenshot PATH [X Y W H]  the screen (or a part) as PNG; prints badge colours seen
  desktop.py menu                       showing menu items of the app named berth: [{name, enabled, x, y, width, height}]
  desktop.py windows                    Berth's top-level windows and whether they are mapped
  desktop.py close-window               asks Berth's main window to close (WM_DELETE_WINDOW)
"""
import json
import struct
import sys
import zlib

from Xlib import X, display, protocol

RED = (0xD3, 0x2F, 0x2F)
GREEN = (0x2E, 0x7D, 0x32)


def walk(window):
    yield window
    try:
        children = window.query_tree().children
    except Exception:
        return
    for child in children:
        yield from walk(child)


def wm_class(window):
    try:
        return window.get_wm_class() or ()
    except Exception:
        return ()


def absolute(window, root):
    t = window.translate_coords(root, 0, 0)
    g = window.get_geometry()
    return {"x": -t.x, "y": -t.y, "width": g.width, "height": g.height}


def tray_icons():
    d = display.Display()
    root = d.screen().root
    out = []
    for panel in walk(root):
        if "trayer" not in wm_class(panel) or panel.get_attributes().map_state != X.IsViewable:
            continue
        for w in walk(panel):
            cls = wm_class(w)
            if w.id != panel.id and cls and "trayer" not in cls and w.get_attributes().map_state == X.IsViewable:
                out.append({**absolute(w, root), "class": " ".join(cls)})
    return out


def screenshot(path, box=None):
    d = display.Display()
    root = d.screen().root
    g = root.get_geometry()
    x, y, w, h = box or (0, 0, g.width, g.height)
    # Keep the box on the screen.
    x, y = max(0, min(x, g.width - 1)), max(0, min(y, g.height - 1))
    w, h = min(w, g.width - x), min(h, g.height - y)
    data = root.get_image(x, y, w, h, X.ZPixmap, 0xFFFFFFFF).data
    rows = bytearray()
    seen = {"red": 0, "green": 0}
    for row in range(h):
        rows.append(0)
        for col in range(w):
            i = (row * w + col) * 4
            rgb = (data[i + 2], data[i + 1], data[i])
            rows.extend(rgb)
            if rgb == RED:
                seen["red"] += 1
            elif rgb == GREEN:
                seen["green"] += 1

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(bytes(rows), 6)))
        f.write(chunk(b"IEND", b""))
    return {"path": path, "badge": seen}


def menu():
    import gi

    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi

    desktop = Atspi.get_desktop(0)
    items = []

    def visit(node, depth, inside_combo):
        try:
            role = node.get_role_name()
            states = node.get_state_set()
        except Exception:
            return
        # A <select>'s options are menu items too, inside a combo box: not the tray's.
        inside_combo = inside_combo or role == "combo box"
        if role in ("menu item", "check menu item") and not inside_combo and states.contains(Atspi.StateType.SHOWING):
            ext = node.get_extents(Atspi.CoordType.SCREEN)
            items.append(
                {
                    "name": node.get_name(),
                    "enabled": states.contains(Atspi.StateType.SENSITIVE),
                    "x": ext.x,
                    "y": ext.y,
                    "width": ext.width,
                    "height": ext.height,
                }
            )
        if depth < 30:
            for i in range(node.get_child_count()):
                visit(node.get_child_at_index(i), depth + 1, inside_combo)

    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == "berth":
            visit(app, 0, False)
    return items


def main_windows(d):
    root = d.screen().root
    for w in root.query_tree().children:
        if wm_class(w) == ("berth", "Berth") and (w.get_wm_name() or "") == "Berth":
            yield w


def windows():
    d = display.Display()
    return [
        {"id": w.id, "mapped": w.get_attributes().map_state == X.IsViewable} for w in main_windows(d)
    ]


def close_window():
    d = display.Display()
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    closed = []
    for w in main_windows(d):
        if w.get_attributes().map_state != X.IsViewable:
            continue
        event = protocol.event.ClientMessage(window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
        w.send_event(event)
        closed.append(w.id)
    d.flush()
    return closed


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "tray-icons":
        result = tray_icons()
    elif command == "screenshot":
        result = screenshot(args[0], tuple(int(a) for a in args[1:5]) if len(args) >= 5 else None)
    elif command == "menu":
        result = menu()
    elif command == "windows":
        result = windows()
    elif command == "close-window":
        result = close_window()
    else:
        sys.exit(f"unknown command {command}")
    print(json.dumps(result, ensure_ascii=False))
