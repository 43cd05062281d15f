//! The Docker engine connection.

mod engine;
