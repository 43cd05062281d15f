//! The wizard's steps, one module each: plain async functions over small traits.

pub mod account;
pub mod image;
