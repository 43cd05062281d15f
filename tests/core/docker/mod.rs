//! The Docker engine connection: the probe, contexts, and the transports (TLS, ssh).

mod contexts;
mod engine;
mod ssh;
mod tls;
