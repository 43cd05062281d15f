//! Whether this desktop has a tray host: libayatana-appindicator shows Berth's icon through a
//! StatusNotifierItem host when one runs, else falls back to the XEmbed system tray. Without
//! either the icon exists but nobody draws it.

#[cfg(target_os = "linux")]
pub fn tray_host_present() -> bool {
    status_notifier_host() || xembed_tray()
}

#[cfg(not(target_os = "linux"))]
pub fn tray_host_present() -> bool {
    // macOS and Windows always have a menu bar / notification area.
    true
}

#[cfg(target_os = "linux")]
fn status_notifier_host() -> bool {
    use dbus::blocking::Connection;
    use std::time::Duration;
    let Ok(bus) = Connection::new_session() else {
        return false;
    };
    let proxy = bus.with_proxy(
        "org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        Duration::from_secs(2),
    );
    let owned: Result<(bool,), _> = proxy.method_call(
        "org.freedesktop.DBus",
        "NameHasOwner",
        ("org.kde.StatusNotifierWatcher",),
    );
    owned.is_ok_and(|(owned,)| owned)
}

#[cfg(target_os = "linux")]
fn xembed_tray() -> bool {
    use std::ffi::CString;
    let Ok(xlib) = x11_dl::xlib::Xlib::open() else {
        return false;
    };
    // SAFETY: plain Xlib calls on a display opened and closed here; null checked.
    unsafe {
        let display = (xlib.XOpenDisplay)(std::ptr::null());
        if display.is_null() {
            return false;
        }
        let screen = (xlib.XDefaultScreen)(display);
        let name = CString::new(format!("_NET_SYSTEM_TRAY_S{screen}")).unwrap_or_default();
        let atom = (xlib.XInternAtom)(display, name.as_ptr(), 0);
        let owner = (xlib.XGetSelectionOwner)(display, atom);
        (xlib.XCloseDisplay)(display);
        owner != 0
    }
}
