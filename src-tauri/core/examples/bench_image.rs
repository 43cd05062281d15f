//! Drives Berth's own build and push code for `scripts/bench-image.sh`, printing the wall time.
//!
//!   bench_image build <folder> <reference> [buildkit|classic] [nocache|cache]
//!                                          (default: BuildKit, without the build cache)
//!   bench_image push <name> <tag> <registry> <user> <password-env-var>
//!
//! The password is read from the environment variable named, never from the command line.

use berth_core::image::build::{self, BuildSpec};
use berth_core::image::platform::Platform;
use berth_core::image::push::{self, RegistryCredentials};
use berth_core::image::{classic, context};
use berth_core::progress::{Operation, Progress};
use berth_core::wizard::image;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let engine = image::engine().await.expect("a Docker engine answers");
    let op = Operation::new(Arc::new(|_: Progress| {}), CancellationToken::new());
    let started = Instant::now();
    match args.first().map(String::as_str) {
        Some("build") => {
            let root = context::resolve_folder(&args[1]).expect("a folder");
            let dockerfile = context::resolve_dockerfile(&root, None).expect("a Dockerfile");
            let spec = BuildSpec {
                reference: args[2].clone(),
                platform: Platform::LinuxAmd64,
                build_args: Default::default(),
                target: None,
                no_cache: args.get(4).map(String::as_str) != Some("cache"),
                builtin_frontend: false,
            };
            if args.get(3).map(String::as_str) == Some("classic") {
                let ctx = context::prepare(&root, &dockerfile).expect("the context");
                classic::build(&engine, ctx, &spec, &op)
                    .await
                    .expect("the build");
            } else {
                build::build(&engine, &root, &dockerfile, &spec, &op)
                    .await
                    .expect("the build");
            }
        }
        Some("push") => {
            let credentials = RegistryCredentials {
                username: args[4].clone(),
                password: std::env::var(&args[5]).expect("the password variable is set"),
                server: args[3].clone(),
            };
            push::push(&engine, &args[1], &args[2], &credentials, &op)
                .await
                .expect("the push");
        }
        _ => {
            eprintln!("usage: bench_image build <folder> <reference> [buildkit|classic] [nocache|cache] | push <name> <tag> <registry> <user> <password-var>");
            std::process::exit(2);
        }
    }
    println!("{:.3}", started.elapsed().as_secs_f64());
}
