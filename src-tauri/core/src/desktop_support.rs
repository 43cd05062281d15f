//! What this desktop offers Berth outside its window: a tray host and a notification service.

use serde::Serialize;
use ts_rs::TS;

/// Found at start and rechecked when it matters (closing the window, showing a notification).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DesktopSupport {
    /// A tray host shows icons (StatusNotifierItem or XEmbed). Without one, closing the window
    /// quits Berth instead of hiding it into a tray nobody sees.
    pub tray_host: bool,
    /// A notification service answers on the session bus; None until first asked.
    pub notifications: Option<bool>,
}
