//! Clients, credentials and profiles.

mod clients;
