//! Images with the local Docker engine: the build context (`.dockerignore` exactly as the docker
//! CLI reads it), BuildKit builds (the classic builder only for engines without BuildKit), push
//! with per-layer progress, local images, and "try it locally".

pub mod build;
pub mod buildkit;
pub mod classic;
pub mod context;
pub mod dockerignore;
pub mod local;
pub mod platform;
pub mod push;
pub mod raw_http;
pub mod registry;
pub mod run;
pub mod tag;
pub mod tarball;
