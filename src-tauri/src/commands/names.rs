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
    "check_permissions",
    "get_execution_role",
    "ensure_execution_role",
    "plan_deploy_user",
    "create_deploy_user",
];
