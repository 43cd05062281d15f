//! How the Linux webview paints. WebKitGTK paints pages through the GPU (Skia over OpenGL) and
//! composites them in layers on it. On a computer without a GPU (a virtual machine, a remote
//! desktop) Mesa emulates one on the CPU (llvmpipe), which costs memory and buys nothing: Berth's
//! processes took 362 MiB at rest that way, 320 MiB with Skia painting on the CPU, and 258 MiB with
//! compositing off as well; and the first screen reached the display sooner (675 vs 859 ms
//! median, 5 launches each: composited, the page held its text ~300 ms before the emulated GPU
//! showed it; docs/benchmarks.md). Screens look the same. So when no GPU device is there, Berth
//! asks WebKit for both; a user's own setting of either variable wins.

use std::ffi::OsString;
use std::path::Path;

/// WebKitGTK's switches for a computer without a GPU, each set to "1":
/// `WEBKIT_SKIA_ENABLE_CPU_RENDERING` paints with Skia on the CPU (2.46+);
/// `WEBKIT_DISABLE_COMPOSITING_MODE` keeps accelerated compositing off ("Force Accelerated
/// Compositing mode to be always off", WebKit's list of environment variables). Not
/// `WEBKIT_DISABLE_DMABUF_RENDERER`: in WebKitGTK 2.52 that one leaves no way to show a
/// composited layer and the web view crashes when a page asks for one.
const WITHOUT_GPU: [&str; 2] = [
    "WEBKIT_SKIA_ENABLE_CPU_RENDERING",
    "WEBKIT_DISABLE_COMPOSITING_MODE",
];

/// Where a GPU shows itself: DRM render nodes, and WSL's paravirtual GPU.
const GPU_DEVICES: [&str; 2] = ["/dev/dri", "/dev/dxg"];

/// Chooses CPU painting without compositing when this computer has no GPU. Call before the first
/// window opens: the web processes WebKit starts inherit the environment.
#[cfg(target_os = "linux")]
pub fn choose() {
    let gpu = gpu_present(&GPU_DEVICES);
    for name in WITHOUT_GPU {
        if sets_switch(std::env::var_os(name), gpu) {
            // Still single-threaded: nothing else reads the environment yet.
            std::env::set_var(name, "1");
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn choose() {}

fn sets_switch(user_setting: Option<OsString>, gpu: bool) -> bool {
    user_setting.is_none() && !gpu
}

/// A render node (`/dev/dri/renderD128`) or WSL's `/dev/dxg`.
fn gpu_present(devices: &[impl AsRef<Path>]) -> bool {
    devices.iter().any(|device| {
        let device = device.as_ref();
        match std::fs::read_dir(device) {
            Ok(entries) => entries
                .flatten()
                .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD")),
            // Not a directory: /dev/dxg is the device itself.
            Err(_) => device.exists() && !device.is_dir(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_gpu_the_webview_paints_on_the_cpu_unless_the_user_chose() {
        assert!(sets_switch(None, false));
        assert!(!sets_switch(None, true));
        // The user's own choice, either way, is left alone.
        assert!(!sets_switch(Some("0".into()), false));
        assert!(!sets_switch(Some("1".into()), true));
    }

    #[test]
    fn a_render_node_or_wsls_gpu_device_counts_as_a_gpu() {
        let dir = tempfile::tempdir().unwrap();
        let dri = dir.path().join("dri");
        std::fs::create_dir(&dri).unwrap();
        std::fs::write(dri.join("card0"), "").unwrap();
        // A display card alone (no render node) cannot render.
        assert!(!gpu_present(&[&dri]));
        std::fs::write(dri.join("renderD128"), "").unwrap();
        assert!(gpu_present(&[&dri]));

        let dxg = dir.path().join("dxg");
        assert!(!gpu_present(&[&dxg]));
        std::fs::write(&dxg, "").unwrap();
        assert!(gpu_present(&[&dxg]));
    }
}
