// Every command the app registers. Shared by build.rs (which generates one `allow-<name>`
// permission per command) and by the test that checks the capability grants exactly these.
pub const COMMAND_NAMES: &[&str] = &[
    "probe_docker",
    "read_aws_config",
    "app_info",
    "get_account",
    "save_identity",
    "remove_identity",
    "update_account",
    "verify_account",
    "list_activity",
    "watch_activity",
    "clear_activity",
    "get_wizard",
    "get_image_step",
    "inspect_build_folder",
    "list_local_images",
    "build_image",
    "push_image",
    "cancel_operation",
    "start_local_run",
    "watch_local_run",
    "stop_local_run",
    "open_local_app",
];

// Permissions of plugins the window uses, granted beside the app's own commands: the native
// folder picker of the Image step, and nothing else of the dialog plugin.
#[allow(dead_code)] // build.rs includes this file too and does not use it
pub const PLUGIN_PERMISSIONS: &[&str] = &["dialog:allow-open"];
