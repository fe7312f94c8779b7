//! API tests: a real server on port 0 over a fresh SQLite file or
//! PostgreSQL database; every test runs on both.

mod helpers;

mod email;
mod flows;
mod isolation;
mod openapi;
mod selling;
mod stripe;
mod team;
mod validation;
