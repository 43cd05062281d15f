//! Target platforms. Fargate runs `linux/amd64` (X86_64) or `linux/arm64` (ARM64, Graviton); an
//! image built for the other one fails there with "exec format error" — the classic trap of
//! building on Apple silicon.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum Platform {
    #[default]
    #[serde(rename = "linux/amd64")]
    LinuxAmd64,
    #[serde(rename = "linux/arm64")]
    LinuxArm64,
}

impl Platform {
    /// `linux/amd64`, as Docker names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::LinuxAmd64 => "linux/amd64",
            Platform::LinuxArm64 => "linux/arm64",
        }
    }

    /// The CPU architecture as Docker names it.
    pub fn arch(self) -> &'static str {
        match self {
            Platform::LinuxAmd64 => "amd64",
            Platform::LinuxArm64 => "arm64",
        }
    }

    /// The Fargate runtime platform that runs it.
    pub fn fargate_architecture(self) -> &'static str {
        match self {
            Platform::LinuxAmd64 => "X86_64",
            Platform::LinuxArm64 => "ARM64",
        }
    }

    /// The platform of an image or a machine, from Docker's os and architecture names.
    pub fn from_parts(os: &str, arch: &str) -> Option<Platform> {
        if !os.is_empty() && os != "linux" {
            return None;
        }
        match normalize_arch(arch).as_str() {
            "amd64" => Some(Platform::LinuxAmd64),
            "arm64" => Some(Platform::LinuxArm64),
            _ => None,
        }
    }
}

/// `x86_64` → `amd64`, `aarch64` → `arm64` (engines and kernels name them differently).
pub fn normalize_arch(arch: &str) -> String {
    match arch.trim().to_ascii_lowercase().as_str() {
        "x86_64" | "x86-64" | "amd64" => "amd64".to_owned(),
        "aarch64" | "arm64" | "arm64/v8" => "arm64".to_owned(),
        other => other.to_owned(),
    }
}

/// `linux/arm64` from an image's os and architecture (`variant` added when set).
pub fn describe(os: &str, arch: &str, variant: Option<&str>) -> String {
    let base = format!(
        "{}/{}",
        if os.is_empty() { "linux" } else { os },
        normalize_arch(arch)
    );
    match variant.filter(|v| !v.is_empty() && normalize_arch(arch) != "arm64") {
        Some(v) => format!("{base}/{v}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_and_kernel_names_map_to_fargate_platforms() {
        assert_eq!(
            Platform::from_parts("linux", "x86_64"),
            Some(Platform::LinuxAmd64)
        );
        assert_eq!(
            Platform::from_parts("linux", "aarch64"),
            Some(Platform::LinuxArm64)
        );
        assert_eq!(Platform::from_parts("windows", "amd64"), None);
        assert_eq!(Platform::from_parts("linux", "s390x"), None);
        assert_eq!(Platform::LinuxArm64.fargate_architecture(), "ARM64");
        assert_eq!(
            serde_json::to_value(Platform::LinuxAmd64).unwrap(),
            "linux/amd64"
        );
        assert_eq!(describe("linux", "arm", Some("v7")), "linux/arm/v7");
        assert_eq!(describe("linux", "arm64", Some("v8")), "linux/arm64");
    }
}
