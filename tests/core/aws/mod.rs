//! Clients, credentials and profiles.

mod browser_sign_in;
mod clients;
