//! Integration tests of the Stripe connector: one test binary.

mod client_connect;
mod client_errors;
mod client_old_shape;
mod client_requests;
mod client_selling;
mod fixtures;
mod stub_stripe;
mod types_current_shape;
mod types_old_shape;
