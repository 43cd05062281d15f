//! Tests that change process-wide or emulator-wide state; run alone (see main.rs).

mod aws_auth;
mod aws_profiles;
mod docker_missing_socket;
mod ecr_access_denied;
mod iam_auth;
mod keychain_locked;
mod login_session;
mod secrets;
mod status_scale;
