//! The commands the window calls, one module per screen. `list.rs` declares each command once
//! (its arguments, answer and documentation); from it this module makes the Tauri handlers —
//! thin wrappers that call `<module>::<command>(&app, args…)`, so the compiler checks each
//! implementation against its declaration — and the names `build.rs` grants the window. The
//! UI's typed calls are written from the same list (`typescript` below, checked by a test).

pub mod account;
pub mod activity;
pub mod deployments;
pub mod environment;
pub mod iam;
pub mod image;
pub mod jobs;
pub mod launch;
pub mod practice;
pub mod repository;
pub mod repository_list;
pub mod settings;
pub mod wizard;

#[cfg(test)]
mod surface;
#[cfg(test)]
mod typescript;

// The types the list names, in scope for the handlers and the TypeScript writer.
use crate::jobs::JobEvent;
use berth_core::activity::ActivityView;
use berth_core::app_info::AppInfo;
use berth_core::aws::cloudwatch::{MetricRange, ServiceMetrics};
use berth_core::aws::ecr::ImageSummary;
use berth_core::aws::logs::{LogPage, LogRequest, LogStreamRef};
use berth_core::aws::profiles::AwsConfigSummary;
use berth_core::aws::signin::SignInRequest;
use berth_core::dashboard::repository_list::{
    ImageDeletion, PlannedAction, RepositoryDeletion, RepositoryList, RepositoryRef,
    RepositoryUsage,
};
use berth_core::dashboard::revisions::RevisionList;
use berth_core::dashboard::secrets::ServiceSecret;
use berth_core::dashboard::service_actions::TagDeployment;
use berth_core::desktop_support::DesktopSupport;
use berth_core::docker::{DockerContexts, DockerStatus};
use berth_core::ecr_lifecycle::{LifecycleRule, LifecycleSummary};
use berth_core::image::local::LocalImage;
use berth_core::image::run::LocalRun;
use berth_core::jobs::{JobId, JobSummary};
use berth_core::practice::{PartsReport, PracticeStatus};
use berth_core::pricing::CostEstimate;
use berth_core::settings::{AccountSettings, Preferences, WizardSettings};
use berth_core::wizard::account::{AccountOverview, NewIdentity, VerifiedIdentity};
use berth_core::wizard::iam::{
    DeployUserOutcome, DeployUserPlan, DeployUserRequest, InfrastructureRoleChange,
    InfrastructureRoleStatus, PermissionReport, RoleChange, RoleStatus,
};
use berth_core::wizard::image::{BuildRequest, FolderInfo, ImageStep, PushRequest};
use berth_core::wizard::launch::network::NetworkOverview;
use berth_core::wizard::launch::plan::LaunchPlan;
use berth_core::wizard::launch::shared::SharedRemovals;
use berth_core::wizard::launch::teardown::TeardownPlan;
use berth_core::wizard::launch::{LaunchChoices, LaunchOverview};
use berth_core::wizard::repository::{CreatedRepository, NewRepository, RepositoryDetails};

/// One command of the list, as the TypeScript writer and the tests see it.
#[cfg(test)]
pub struct CommandInfo {
    pub name: &'static str,
    pub doc: &'static [&'static str],
    /// Each argument's name and TypeScript type.
    pub args: Vec<(&'static str, String)>,
    /// The TypeScript type of the answer (`null` for none).
    pub answer: String,
    /// The TypeScript type of the events a channel streams, for commands that take one.
    pub events: Option<String>,
    /// The generated types these TypeScript types name, to import.
    pub imports: Vec<ts_rs::Dependency>,
}

/// Calls `each` with every exported type `T` stands for: `T` itself when it is exported, else
/// the types inside it (`Vec<T>`, `Option<T>`, nested).
#[cfg(test)]
fn exported_in<T: ts_rs::TS + 'static + ?Sized>(each: &mut dyn FnMut(&dyn ExportedType)) {
    struct Inner<'a>(&'a mut dyn FnMut(&dyn ExportedType));
    impl ts_rs::TypeVisitor for Inner<'_> {
        fn visit<U: ts_rs::TS + 'static + ?Sized>(&mut self) {
            exported_in::<U>(self.0);
        }
    }
    if T::output_path().is_some() {
        each(&Exported::<T>(std::marker::PhantomData));
    } else {
        T::visit_generics(&mut Inner(each));
    }
}

/// A type ts-rs exports, without its type parameter.
#[cfg(test)]
trait ExportedType {
    fn dependency(&self, cfg: &ts_rs::Config) -> Option<ts_rs::Dependency>;
    fn export_all(&self, cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError>;
}

#[cfg(test)]
struct Exported<T: ?Sized>(std::marker::PhantomData<T>);

#[cfg(test)]
impl<T: ts_rs::TS + 'static + ?Sized> ExportedType for Exported<T> {
    fn dependency(&self, cfg: &ts_rs::Config) -> Option<ts_rs::Dependency> {
        ts_rs::Dependency::from_ty::<T>(cfg)
    }
    fn export_all(&self, cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
        T::export_all(cfg)
    }
}

/// The TypeScript name of `T`, noting in `imports` the generated types it names.
#[cfg(test)]
fn ts_name<T: ts_rs::TS + 'static + ?Sized>(
    cfg: &ts_rs::Config,
    imports: &mut Vec<ts_rs::Dependency>,
) -> String {
    exported_in::<T>(&mut |t| imports.extend(t.dependency(cfg)));
    T::name(cfg)
}

/// Writes the bindings of `T` and of every type it names into `cfg`'s directory.
#[cfg(test)]
fn export<T: ts_rs::TS + 'static + ?Sized>(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
    let mut result = Ok(());
    exported_in::<T>(&mut |t| {
        if result.is_ok() {
            result = t.export_all(cfg);
        }
    });
    result
}

macro_rules! berth_commands {
    ($(
        $module:ident {
            $(
                $(#[doc = $doc:literal])*
                fn $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) -> $answer:ty $( => $event:ty )? ;
            )*
        }
    )*) => {
        /// The Tauri handlers: each hands the app and its arguments to the implementation.
        pub mod handlers {
            use super::*;
            $( $(
                #[tauri::command]
                pub async fn $name(
                    tauri_app: tauri::AppHandle,
                    $( $arg: $ty, )*
                    $( channel: tauri::ipc::Channel<$event>, )?
                ) -> berth_core::Result<$answer> {
                    super::$module::$name(&tauri_app, $( $arg, )* $( channel as tauri::ipc::Channel<$event>, )?).await
                }
            )* )*
        }

        /// Registers every handler of the list.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![ $( $( handlers::$name, )* )* ]
        }

        /// Every command of the list, in order.
        #[cfg(test)]
        pub fn all() -> Vec<CommandInfo> {
            let cfg = ts_rs::Config::default();
            let mut all = Vec::new();
            $( $(
                let mut imports = Vec::new();
                let args = vec![$( (stringify!($arg), ts_name::<$ty>(&cfg, &mut imports)) ),*];
                let answer = ts_name::<$answer>(&cfg, &mut imports);
                let events: Option<String> = None $( .or(Some(ts_name::<$event>(&cfg, &mut imports))) )?;
                all.push(CommandInfo {
                    name: stringify!($name),
                    doc: &[$( $doc ),*],
                    args,
                    answer,
                    events,
                    imports,
                });
            )* )*
            all
        }

        /// Writes the bindings of every type the list names into `cfg`'s directory.
        #[cfg(test)]
        pub fn export_bindings(cfg: &ts_rs::Config) -> Result<(), ts_rs::ExportError> {
            $( $(
                $( export::<$ty>(cfg)?; )*
                export::<$answer>(cfg)?;
                $( export::<$event>(cfg)?; )?
            )* )*
            Ok(())
        }
    };
}

include!("list.rs");
