//! The dry run's model and I/O: the PostgreSQL target and connection, the
//! engine that runs pending migrations inside one transaction that is always
//! rolled back, the catalog it observes, and what it saw. The runner is
//! `gates::dryrun`; `rules::dryrun` judges what it observed.

pub mod catalog;
pub mod checks;
pub mod classify;
pub mod engine;
pub mod history;
pub mod model;
pub mod restore;
pub mod target;
pub mod tls;
