//! The botcoach server and command-line tools. Thin: the domain lives in `model`, the pages
//! in `app`; this crate wires them to configuration, the database and HTTP.

pub mod access;
pub mod accounts;
pub mod api;
pub mod backup;
pub mod cli;
pub mod config;
pub mod demo;
pub mod embed;
pub mod health;
pub mod http;
pub mod knowledge;
pub mod learning;
pub mod privacy;
pub mod startup;
pub mod state;
pub mod synonyms;
pub mod telemetry;
pub mod testsets;
