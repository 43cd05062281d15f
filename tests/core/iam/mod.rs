//! The IAM step: execution role and deploy user.

mod deploy_user;
mod role;
