//! Fargate task sizes: the CPU/memory pairs AWS accepts for Linux tasks (docs/aws-facts.md#fargate-sizes), and the
//! runtime architectures. moto does not check sizes, and AWS only rejects a bad pair at
//! RegisterTaskDefinition ("Invalid 'cpu' setting for task"), so Berth checks them itself first.

use crate::error::{BerthError, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One CPU row of the size table: the memory sizes allowed with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CpuRow {
    cpu: u32,
    /// Explicit memory sizes (the 0.25 vCPU row), or empty for a min..=max range in `step`s.
    listed: &'static [u32],
    min: u32,
    max: u32,
    step: u32,
}

const GIB: u32 = 1024;

/// The Linux Fargate size table, CPU units (1024 = 1 vCPU) to memory in MiB.
const ROWS: [CpuRow; 7] = [
    CpuRow {
        cpu: 256,
        listed: &[512, 1024, 2048],
        min: 512,
        max: 2048,
        step: 0,
    },
    CpuRow {
        cpu: 512,
        listed: &[],
        min: GIB,
        max: 4 * GIB,
        step: GIB,
    },
    CpuRow {
        cpu: 1024,
        listed: &[],
        min: 2 * GIB,
        max: 8 * GIB,
        step: GIB,
    },
    CpuRow {
        cpu: 2048,
        listed: &[],
        min: 4 * GIB,
        max: 16 * GIB,
        step: GIB,
    },
    CpuRow {
        cpu: 4096,
        listed: &[],
        min: 8 * GIB,
        max: 30 * GIB,
        step: GIB,
    },
    // 8 and 16 vCPU need platform version 1.4.0 or later, which LATEST is.
    CpuRow {
        cpu: 8192,
        listed: &[],
        min: 16 * GIB,
        max: 60 * GIB,
        step: 4 * GIB,
    },
    CpuRow {
        cpu: 16384,
        listed: &[],
        min: 32 * GIB,
        max: 120 * GIB,
        step: 8 * GIB,
    },
];

impl CpuRow {
    fn memory_options(&self) -> Vec<u32> {
        if !self.listed.is_empty() {
            return self.listed.to_vec();
        }
        (self.min..=self.max).step_by(self.step as usize).collect()
    }

    fn allows(&self, memory: u32) -> bool {
        if !self.listed.is_empty() {
            return self.listed.contains(&memory);
        }
        (self.min..=self.max).contains(&memory) && (memory - self.min).is_multiple_of(self.step)
    }
}

/// A CPU size and the memory sizes allowed with it, as the size picker shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FargateCpu {
    /// CPU units: 1024 is one vCPU.
    pub cpu: u32,
    /// Memory sizes in MiB, smallest first.
    pub memory: Vec<u32>,
}

/// Every valid Linux Fargate size, smallest CPU first.
pub fn sizes() -> Vec<FargateCpu> {
    ROWS.iter()
        .map(|row| FargateCpu {
            cpu: row.cpu,
            memory: row.memory_options(),
        })
        .collect()
}

/// The smallest size, which is also the cheapest: Berth's default.
pub const DEFAULT_CPU: u32 = 256;
pub const DEFAULT_MEMORY: u32 = 512;

/// Rejects a CPU/memory pair Fargate would refuse, before any AWS call. The error names the
/// allowed range so the message can say what to pick instead.
pub fn validate_size(cpu: u32, memory: u32) -> Result<()> {
    let Some(row) = ROWS.iter().find(|r| r.cpu == cpu) else {
        return Err(BerthError::invalid("cpu", "fargateCpu").with("cpu", cpu.to_string()));
    };
    if row.allows(memory) {
        return Ok(());
    }
    Err(BerthError::invalid("memory", "fargateMemory")
        .with("cpu", vcpu_label(cpu))
        .with("memory", memory.to_string())
        .with("min", row.min.to_string())
        .with("max", row.max.to_string()))
}

/// `256` → `0.25`, `1024` → `1`.
pub fn vcpu_label(cpu: u32) -> String {
    let vcpu = f64::from(cpu) / 1024.0;
    let text = format!("{vcpu:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The CPU architecture a Fargate task runs on. The image must be built for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum Architecture {
    /// Intel/AMD, the image platform `linux/amd64`.
    #[serde(rename = "X86_64")]
    X86_64,
    /// Graviton, the image platform `linux/arm64`: about 20% cheaper.
    #[serde(rename = "ARM64")]
    Arm64,
}

impl Architecture {
    /// The name ECS uses in `runtimePlatform.cpuArchitecture`.
    pub fn as_ecs(self) -> &'static str {
        match self {
            Architecture::X86_64 => "X86_64",
            Architecture::Arm64 => "ARM64",
        }
    }

    /// The Docker platform an image must have to run on it.
    pub fn platform(self) -> &'static str {
        match self {
            Architecture::X86_64 => "linux/amd64",
            Architecture::Arm64 => "linux/arm64",
        }
    }

    /// The architecture that runs images of a Docker platform (`linux/arm64/v8` counts as arm64).
    pub fn for_platform(platform: &str) -> Option<Architecture> {
        let mut parts = platform.trim().split('/');
        let (os, arch) = (parts.next()?, parts.next()?);
        if os != "linux" {
            return None;
        }
        match arch {
            "amd64" | "x86_64" => Some(Architecture::X86_64),
            "arm64" | "aarch64" => Some(Architecture::Arm64),
            _ => None,
        }
    }
}

/// Rejects an architecture the pushed image was not built for (it would stop with
/// "CannotPullContainerError … platform" or "exec format error").
pub fn check_platform(architecture: Architecture, image_platform: Option<&str>) -> Result<()> {
    let Some(platform) = image_platform.filter(|p| !p.trim().is_empty()) else {
        return Ok(());
    };
    match Architecture::for_platform(platform) {
        Some(a) if a == architecture => Ok(()),
        _ => Err(BerthError::invalid("architecture", "platformMismatch")
            .with("platform", platform)
            .with("needed", architecture.platform())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(cpu: u32, memory: u32) -> Option<String> {
        validate_size(cpu, memory)
            .err()
            .map(|e| format!("{}.{}", e.param("field").unwrap(), e.param("rule").unwrap()))
    }

    #[test]
    fn every_listed_pair_is_accepted() {
        let all = sizes();
        assert_eq!(all.len(), 7, "all seven CPU rows");
        let mut count = 0;
        for row in &all {
            for &memory in &row.memory {
                assert_eq!(rule(row.cpu, memory), None, "{} / {memory}", row.cpu);
                count += 1;
            }
        }
        // 3 + 4 + 7 + 13 + 23 + 12 + 12 pairs.
        assert_eq!(count, 74);
    }

    #[test]
    fn the_table_matches_aws_documentation_row_by_row() {
        let memory = |cpu: u32| sizes().into_iter().find(|r| r.cpu == cpu).unwrap().memory;
        assert_eq!(memory(256), [512, 1024, 2048]);
        assert_eq!(memory(512), [1024, 2048, 3072, 4096]);
        assert_eq!(memory(1024).first(), Some(&2048));
        assert_eq!(memory(1024).last(), Some(&8192));
        assert_eq!(memory(2048).len(), 13);
        assert_eq!(memory(4096).last(), Some(&30720));
        assert_eq!(memory(8192)[..3], [16384, 20480, 24576]);
        assert_eq!(memory(8192).last(), Some(&61440));
        assert_eq!(memory(16384)[..2], [32768, 40960]);
        assert_eq!(memory(16384).last(), Some(&122880));
    }

    #[test]
    fn edges_around_every_row_are_rejected() {
        let memory_rule = Some("memory.fargateMemory".to_owned());
        // Below the minimum, above the maximum, and off-step, for every row.
        let cases: &[(u32, &[u32])] = &[
            (256, &[0, 256, 511, 513, 1536, 2049, 3072]),
            (512, &[512, 1023, 1536, 4097, 5120]),
            (1024, &[1024, 2047, 2560, 8193, 9216]),
            (2048, &[3072, 4095, 4608, 16385, 17408]),
            (4096, &[7168, 8191, 8704, 30721, 31744]),
            (8192, &[12288, 16383, 17408, 20479, 61441, 65536]),
            (16384, &[24576, 32767, 36864, 40959, 122881, 131072]),
        ];
        for (cpu, memories) in cases {
            for &memory in *memories {
                assert_eq!(rule(*cpu, memory), memory_rule, "{cpu} / {memory}");
            }
        }
        for cpu in [0, 128, 255, 257, 768, 1536, 3072, 32768] {
            assert_eq!(rule(cpu, 2048), Some("cpu.fargateCpu".into()), "cpu {cpu}");
        }
    }

    #[test]
    fn a_rejected_memory_names_the_allowed_range() {
        let err = validate_size(1024, 1024).unwrap_err();
        assert_eq!(err.param("cpu"), Some("1"));
        assert_eq!(err.param("min"), Some("2048"));
        assert_eq!(err.param("max"), Some("8192"));
        assert_eq!(vcpu_label(256), "0.25");
        assert_eq!(vcpu_label(512), "0.5");
        assert_eq!(vcpu_label(16384), "16");
    }

    #[test]
    fn the_architecture_must_match_the_image_platform() {
        assert_eq!(
            Architecture::for_platform("linux/amd64"),
            Some(Architecture::X86_64)
        );
        assert_eq!(
            Architecture::for_platform("linux/arm64/v8"),
            Some(Architecture::Arm64)
        );
        assert_eq!(Architecture::for_platform("windows/amd64"), None);
        assert!(check_platform(Architecture::X86_64, Some("linux/amd64")).is_ok());
        assert!(check_platform(Architecture::Arm64, Some("linux/arm64")).is_ok());
        assert!(check_platform(Architecture::Arm64, None).is_ok());
        let err = check_platform(Architecture::X86_64, Some("linux/arm64")).unwrap_err();
        assert_eq!(err.param("rule"), Some("platformMismatch"));
        assert_eq!(err.param("needed"), Some("linux/amd64"));
        assert_eq!(
            serde_json::to_value(Architecture::Arm64).unwrap(),
            "ARM64",
            "as ECS spells it"
        );
    }
}
