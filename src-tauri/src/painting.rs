//! How the Linux webview paints. WebKitGTK paints pages through the GPU (Skia over OpenGL). On a
//! computer without a GPU (a virtual machine, a remote desktop) Mesa emulates one on the CPU
//! (llvmpipe): that costs the web process about 40 MiB more than Skia's own CPU painter, and the
//! first screen shows no sooner (docs/benchmarks.md). So when no GPU device is there, Berth asks
//! WebKit to paint on the CPU; a user's own setting of the variable wins.

use std::ffi::OsString;
use std::path::Path;

/// WebKitGTK's switch (2.46+): "1" paints with Skia on the CPU.
const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Where a GPU shows itself: DRM render nodes, and WSL's paravirtual GPU.
const GPU_DEVICES: [&str; 2] = ["/dev/dri", "/dev/dxg"];

/// Chooses CPU painting when this computer has no GPU. Call before the first window opens: the
/// web processes WebKit starts inherit the environment.
#[cfg(target_os = "linux")]
pub fn choose() {
    if wants_cpu_painting(std::env::var_os(CPU_PAINTING), gpu_present(&GPU_DEVICES)) {
        // Still single-threaded: nothing else reads the environment yet.
        std::env::set_var(CPU_PAINTING, "1");
    }
}

#[cfg(not(target_os = "linux"))]
pub fn choose() {}

fn wants_cpu_painting(user_setting: Option<OsString>, gpu: bool) -> bool {
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
        assert!(wants_cpu_painting(None, false));
        assert!(!wants_cpu_painting(None, true));
        // The user's own choice, either way, is left alone.
        assert!(!wants_cpu_painting(Some("0".into()), false));
        assert!(!wants_cpu_painting(Some("1".into()), true));
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
