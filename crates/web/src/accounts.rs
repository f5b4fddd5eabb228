//! People's pages: logging in and out, one's own account and password, and
//! the users and roles of a municipality or the nation.

pub(crate) mod account;
pub(crate) mod login;
pub(crate) mod users;
