//! People and their access: who may do what (`access`, the one rule where
//! roles become permissions), logging in and sessions (`auth`), and
//! personal accounts with their invitations, links, passwords and roles
//! (`account`).

pub mod access;
pub mod account;
pub mod auth;
