//! Repositories: names, create, list, delete.

mod names;
mod repositories;
