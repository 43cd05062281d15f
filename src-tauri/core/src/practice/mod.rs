//! Practice without an AWS account, run by Berth itself. One click starts the strict AWS backend
//! (`python -m berth_moto`, shipped in `practice/`) and a registry that stands in for ECR
//! (`docker-registry`) on free loopback ports, checks that they answer and that the practice keys
//! sign in, and keeps the practice account's data between runs in the app's data folder. Tasks
//! launched in practice really run, on the local Docker engine. Berth stops both when practice is
//! turned off or Berth quits; if Berth dies instead, its children get SIGTERM from the kernel
//! (they save and clean up), and the next start removes whatever a crash still left.
//!
//! - [`parts`]: where the programs are, and what is missing with the one command that installs it;
//! - [`manager`]: start (a job with progress), health, stop, reset;
//! - [`credentials`]: the practice keys every client in practice signs with.

pub mod credentials;
pub mod manager;
pub mod parts;
mod process;

pub use manager::{PracticeEndpoints, PracticeManager, PracticeState, PracticeStatus};
pub use parts::{MissingPart, PartsLocator, PartsReport, PracticePart};

/// The region practice works in (every region works; this one has every price Berth knows).
pub const PRACTICE_REGION: &str = "us-east-1";

/// What a launch record names as its target in Berth's own practice, whose address changes from
/// run to run (an emulator of the user's own is named by its URL, AWS by nothing).
pub const PRACTICE_TARGET: &str = "practice";

/// The account the practice keys sign in to.
pub const PRACTICE_ACCOUNT: &str = "123456789012";
