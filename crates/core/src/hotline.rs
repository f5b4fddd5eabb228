//! The joint hotline (seed `003_*`): its members, calls, weekly key
//! figures, staffing split, cost sharing and Erlang staffing plan.
//!
//! The pure rules live in the submodules (`figures`: key figures from calls;
//! `staffing`: the split of agent-hours by population and the roster's
//! hours; `statement`: a member's cost-sharing statement; `plan`: Erlang
//! staffing per opening hour against the roster); this module runs them on
//! the store.

pub mod admin;
pub mod calls;
pub mod desk;
pub mod figures;
pub mod plan;
pub mod report;
pub mod staffing;
pub mod statement;
