//! Products and prices.

use serde::Serialize;

use super::{ListParams, StripeClient, StripeError};
use crate::form::FormParams;
use crate::types::{List, Metadata, Price, Product, RecurringInterval};

/// `GET /v1/products`
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListProducts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListProducts {
    type Item = Product;
    const PATH: &'static [&'static str] = &["products"];
}

/// `POST /v1/products`
#[derive(Debug, Clone, Default, Serialize)]
pub struct CreateProduct {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Public URLs of images.
    pub images: Vec<String>,
    pub metadata: Metadata,
}

/// `GET /v1/prices`
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListPrices {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListPrices {
    type Item = Price;
    const PATH: &'static [&'static str] = &["prices"];
}

/// `POST /v1/prices`
#[derive(Debug, Clone, Serialize)]
pub struct CreatePrice {
    pub product: String,
    /// Three-letter ISO code, lowercase.
    pub currency: String,
    /// In the currency's smallest unit.
    pub unit_amount: i64,
    /// `None`: a one-off price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurring: Option<RecurringParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    pub metadata: Metadata,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecurringParams {
    pub interval: RecurringInterval,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_count: Option<u32>,
}

impl StripeClient {
    pub async fn list_products(&self, params: &ListProducts) -> Result<List<Product>, StripeError> {
        self.list(params).await
    }

    pub async fn retrieve_product(&self, product_id: &str) -> Result<Product, StripeError> {
        self.get(&["products", product_id], &FormParams::new())
            .await
    }

    pub async fn create_product(
        &self,
        params: &CreateProduct,
        idempotency_key: Option<&str>,
    ) -> Result<Product, StripeError> {
        self.post_params(&["products"], params, idempotency_key)
            .await
    }

    /// Not served by localstripe (it has plans only).
    pub async fn list_prices(&self, params: &ListPrices) -> Result<List<Price>, StripeError> {
        self.list(params).await
    }

    /// Not served by localstripe (it has plans only).
    pub async fn retrieve_price(&self, price_id: &str) -> Result<Price, StripeError> {
        self.get(&["prices", price_id], &FormParams::new()).await
    }

    /// Not served by localstripe (it has plans only).
    pub async fn create_price(
        &self,
        params: &CreatePrice,
        idempotency_key: Option<&str>,
    ) -> Result<Price, StripeError> {
        self.post_params(&["prices"], params, idempotency_key).await
    }
}
