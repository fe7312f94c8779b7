use std::str::FromStr;

use time::OffsetDateTime;

use crate::error::{FieldProblem, ValidationErrors, http_url, text};
use crate::ids::{AppId, PageId, ProductId};

/// How a visitor without access buys a product (the product's "Purchase Method" setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum PurchaseMethod {
    /// Not for sale: access only by grant.
    None,
    /// A Tollgate-hosted sales page whose call to action leads to checkout
    /// (or the external URL when one is set).
    SalesPageThenCheckout,
    /// Straight to Stripe Checkout.
    DirectCheckout,
    /// Any custom order page elsewhere.
    ExternalUrl,
}

impl PurchaseMethod {
    pub const ALL: [PurchaseMethod; 4] =
        [PurchaseMethod::None, PurchaseMethod::SalesPageThenCheckout, PurchaseMethod::DirectCheckout, PurchaseMethod::ExternalUrl];

    pub fn as_str(self) -> &'static str {
        match self {
            PurchaseMethod::None => "none",
            PurchaseMethod::SalesPageThenCheckout => "sales_page_then_checkout",
            PurchaseMethod::DirectCheckout => "direct_checkout",
            PurchaseMethod::ExternalUrl => "external_url",
        }
    }
}

impl FromStr for PurchaseMethod {
    type Err = FieldProblem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.iter().copied().find(|m| m.as_str() == s).ok_or_else(|| {
            FieldProblem::new("invalid_choice", "must be one of none, sales_page_then_checkout, direct_checkout, external_url")
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub app_id: AppId,
    pub fields: ProductFields,
    pub archived_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// The editable part of a product, valid as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductFields {
    pub name: String,
    pub description: String,
    pub image_url: Option<String>,
    pub purchase_method: PurchaseMethod,
    pub external_url: Option<String>,
    pub show_locked_card: bool,
}

/// Raw, unvalidated product input; every field optional so the same type
/// serves create (missing = default) and update (missing = unchanged).
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub image_url: Option<Option<String>>,
    pub purchase_method: Option<String>,
    pub external_url: Option<Option<String>>,
    pub show_locked_card: Option<bool>,
}

impl ProductFields {
    /// Validates input for a new product.
    pub fn parse_new(input: ProductInput) -> Result<Self, ValidationErrors> {
        let base = ProductFields {
            name: String::new(),
            description: String::new(),
            image_url: None,
            purchase_method: PurchaseMethod::None,
            external_url: None,
            show_locked_card: false,
        };
        let mut errs = ValidationErrors::new();
        if input.name.is_none() {
            errs.add("name", "required", "must not be empty");
        }
        match base.apply(input) {
            Ok(v) if errs.is_empty() => Ok(v),
            Ok(_) => Err(errs),
            Err(mut e) => {
                e.0.retain(|f| !(f.field == "name" && errs.0.iter().any(|x| x.field == "name")));
                errs.0.extend(e.0);
                Err(errs)
            }
        }
    }

    /// Applies an update on top of the current fields, validating the result.
    pub fn apply(&self, input: ProductInput) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let mut out = self.clone();
        if let Some(n) = input.name {
            if let Some(v) = errs.check("name", text(&n, 1, 200)) {
                out.name = v;
            }
        }
        if let Some(d) = input.description {
            if let Some(v) = errs.check("description", text(&d, 0, 20_000)) {
                out.description = v;
            }
        }
        if let Some(img) = input.image_url {
            out.image_url = match img {
                Some(u) if !u.trim().is_empty() => errs.check("image_url", http_url(&u)),
                _ => None,
            };
        }
        if let Some(m) = input.purchase_method {
            if let Some(v) = errs.check("purchase_method", m.parse()) {
                out.purchase_method = v;
            }
        }
        if let Some(u) = input.external_url {
            out.external_url = match u {
                Some(u) if !u.trim().is_empty() => errs.check("external_url", http_url(&u)),
                _ => None,
            };
        }
        if let Some(b) = input.show_locked_card {
            out.show_locked_card = b;
        }
        if errs.is_empty() && out.purchase_method == PurchaseMethod::ExternalUrl && out.external_url.is_none() {
            errs.add("external_url", "required", "is required when purchase_method is external_url");
        }
        errs.into_result().map(|_| out)
    }
}

/// A content page of a product; completing pages is how progress is tracked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentPage {
    pub id: PageId,
    pub app_id: AppId,
    pub product_id: ProductId,
    pub title: String,
    pub body: String,
    pub position: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub fn page_title(s: &str) -> Result<String, FieldProblem> {
    text(s, 1, 200)
}

pub fn page_body(s: &str) -> Result<String, FieldProblem> {
    text(s, 0, 200_000)
}

pub fn page_position(p: i64) -> Result<i32, FieldProblem> {
    if (0..=100_000).contains(&p) { Ok(p as i32) } else { Err(FieldProblem::new("out_of_range", "must be between 0 and 100000")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> ProductInput {
        ProductInput { name: Some(name.into()), ..Default::default() }
    }

    #[test]
    fn new_product_needs_a_name() {
        let e = ProductFields::parse_new(ProductInput::default()).unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].field, "name");
        assert!(ProductFields::parse_new(input("Course")).is_ok());
    }

    #[test]
    fn external_url_method_requires_a_url() {
        let mut i = input("Course");
        i.purchase_method = Some("external_url".into());
        let e = ProductFields::parse_new(i.clone()).unwrap_err();
        assert_eq!(e.0[0].field, "external_url");
        i.external_url = Some(Some("https://shop.example.com/buy".into()));
        assert_eq!(ProductFields::parse_new(i).unwrap().purchase_method, PurchaseMethod::ExternalUrl);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let i = ProductInput {
            name: Some("".into()),
            image_url: Some(Some("not a url".into())),
            purchase_method: Some("free".into()),
            ..Default::default()
        };
        let e = ProductFields::parse_new(i).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "image_url", "purchase_method"]);
    }

    #[test]
    fn update_keeps_unspecified_fields() {
        let p = ProductFields::parse_new(ProductInput { description: Some("d".into()), ..input("A") }).unwrap();
        let q = p.apply(ProductInput { name: Some("B".into()), ..Default::default() }).unwrap();
        assert_eq!(q.name, "B");
        assert_eq!(q.description, "d");
    }
}
