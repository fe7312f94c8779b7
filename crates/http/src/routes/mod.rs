pub mod auth;
pub mod member;
pub mod ops;
pub mod resources;
pub mod stripe;
pub mod team;
pub mod member_area;
pub mod selling;
