//! Where a visitor or member without access is sent to buy a product
//! (the purchase methods: none, sales page then checkout, direct checkout,
//! external URL), and sales page content.

use serde::{Deserialize, Serialize};

use crate::error::{FieldProblem, ValidationErrors, http_url, text};
use crate::product::{ProductFields, PurchaseMethod};

/// Where a buyer is sent: the sales page, Stripe Checkout or the external order page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PurchaseTargetKind))]
pub enum TargetKind {
    SalesPage,
    Checkout,
    ExternalUrl,
}

/// The purchase target of a locked product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurchaseTarget {
    pub kind: TargetKind,
    pub url: String,
}

/// Decides the purchase target from the product's method, its Checkout
/// link (a Stripe payment link when Checkout is on) and its sales page.
/// `None`: the product is not for sale (method `none`, or nothing to send
/// the buyer to yet).
pub fn purchase_target(p: &ProductFields, checkout_url: Option<&str>, sales_page_url: Option<&str>) -> Option<PurchaseTarget> {
    // The sale itself: Checkout when on, else the custom order page.
    let sale = checkout_url
        .map(|u| PurchaseTarget { kind: TargetKind::Checkout, url: u.to_owned() })
        .or_else(|| p.external_url.as_ref().map(|u| PurchaseTarget { kind: TargetKind::ExternalUrl, url: u.clone() }));
    match p.purchase_method {
        PurchaseMethod::None => None,
        // A sales page whose button leads nowhere is a dead end: not for sale yet.
        PurchaseMethod::SalesPageThenCheckout => match (sales_page_url, &sale) {
            (Some(u), Some(_)) => Some(PurchaseTarget { kind: TargetKind::SalesPage, url: u.to_owned() }),
            _ => sale,
        },
        PurchaseMethod::DirectCheckout => sale,
        PurchaseMethod::ExternalUrl => p.external_url.as_ref().map(|u| PurchaseTarget { kind: TargetKind::ExternalUrl, url: u.clone() }),
    }
}

/// Why a product's purchase method cannot sell it yet (the admin is warned;
/// members see "not available yet", never a link that leads nowhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleProblem {
    /// Checkout is off (or the product is not linked to Stripe) and there is no custom order page.
    NoCheckout,
    /// The method starts with a sales page and none exists: buyers skip straight to the sale.
    NoSalesPage,
    /// The method is a custom order page and its URL is missing.
    NoExternalUrl,
}

impl SaleProblem {
    /// What is missing and what to do, for the admin.
    pub fn message(self) -> &'static str {
        match self {
            SaleProblem::NoCheckout => "Members cannot buy it yet: link it to a Stripe product and turn Checkout on, or give a custom order page URL.",
            SaleProblem::NoSalesPage => "There is no sales page: members go straight to the sale. Create one on the Sales page tab.",
            SaleProblem::NoExternalUrl => "Members cannot buy it yet: the custom order page URL is missing.",
        }
    }
    /// Whether members can buy at all (a missing sales page still sells).
    pub fn blocks_sale(self) -> bool {
        !matches!(self, SaleProblem::NoSalesPage)
    }
}

/// What stops a product from selling through its purchase method; `None`
/// when it sells, or when it is not meant to (method `none`).
pub fn sale_problem(p: &ProductFields, checkout_url: Option<&str>, has_sales_page: bool) -> Option<SaleProblem> {
    let sells = checkout_url.is_some() || p.external_url.is_some();
    match p.purchase_method {
        PurchaseMethod::None => None,
        PurchaseMethod::SalesPageThenCheckout if !sells => Some(SaleProblem::NoCheckout),
        PurchaseMethod::SalesPageThenCheckout if !has_sales_page => Some(SaleProblem::NoSalesPage),
        PurchaseMethod::SalesPageThenCheckout => None,
        PurchaseMethod::DirectCheckout => (!sells).then_some(SaleProblem::NoCheckout),
        PurchaseMethod::ExternalUrl => p.external_url.is_none().then_some(SaleProblem::NoExternalUrl),
    }
}

/// One block of a sales page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Heading { text: String },
    Text { text: String },
    Image { url: String, alt: String },
    Video { url: String },
    Bullets { items: Vec<String> },
    /// A call-to-action button leading to the purchase target.
    Cta { label: String },
}

pub const MAX_BLOCKS: usize = 100;

/// Validates sales page blocks; field names are `blocks[i].field`.
pub fn validate_blocks(blocks: &[Block]) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    if blocks.len() > MAX_BLOCKS {
        e.add("blocks", "too_many", format!("at most {MAX_BLOCKS} blocks"));
    }
    for (i, b) in blocks.iter().enumerate() {
        let f = |n: &str| format!("blocks[{i}].{n}");
        let chk = |e: &mut ValidationErrors, name: &str, r: Result<String, FieldProblem>| {
            e.check(&f(name), r);
        };
        match b {
            Block::Heading { text: t } => chk(&mut e, "text", text(t, 1, 300)),
            Block::Text { text: t } => chk(&mut e, "text", text(t, 1, 20_000)),
            Block::Image { url, alt } => {
                chk(&mut e, "url", http_url(url));
                chk(&mut e, "alt", text(alt, 0, 300));
            }
            Block::Video { url } => chk(&mut e, "url", http_url(url)),
            Block::Bullets { items } => {
                if items.is_empty() || items.len() > 50 {
                    e.add(&f("items"), "out_of_range", "between 1 and 50 items");
                }
                for (j, it) in items.iter().enumerate() {
                    e.check(&format!("blocks[{i}].items[{j}]"), text(it, 1, 500));
                }
            }
            Block::Cta { label } => chk(&mut e, "label", text(label, 1, 80)),
        }
    }
    e.into_result()
}

/// The built-in sales page templates, filled in from the product.
pub fn template(name: &str, product_name: &str, description: &str, image_url: Option<&str>) -> Option<(String, Vec<Block>, String)> {
    let desc = if description.trim().is_empty() { format!("Everything you need from {product_name}.") } else { description.to_owned() };
    let mut blocks = vec![Block::Heading { text: product_name.to_owned() }];
    if let Some(u) = image_url {
        blocks.push(Block::Image { url: u.to_owned(), alt: product_name.to_owned() });
    }
    match name {
        "classic" => {
            blocks.push(Block::Text { text: desc });
            blocks.push(Block::Bullets {
                items: vec!["Instant access after purchase".into(), "Learn at your own pace".into(), "Cancel any time".into()],
            });
            blocks.push(Block::Cta { label: "Get access".into() });
            Some((product_name.to_owned(), blocks, "Get access".into()))
        }
        "minimal" => {
            blocks.push(Block::Text { text: desc });
            blocks.push(Block::Cta { label: "Buy now".into() });
            Some((product_name.to_owned(), blocks, "Buy now".into()))
        }
        "long_form" => {
            blocks.push(Block::Text { text: desc });
            blocks.push(Block::Heading { text: "What you get".into() });
            blocks.push(Block::Bullets { items: vec!["Every lesson, now and as they are added".into(), "Member-only downloads".into()] });
            blocks.push(Block::Heading { text: "Start today".into() });
            blocks.push(Block::Cta { label: "Join now".into() });
            Some((product_name.to_owned(), blocks, "Join now".into()))
        }
        _ => None,
    }
}

pub const TEMPLATES: [&str; 3] = ["classic", "minimal", "long_form"];

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(method: PurchaseMethod, external: Option<&str>) -> ProductFields {
        ProductFields {
            name: "Course".into(),
            description: String::new(),
            image_url: None,
            purchase_method: method,
            external_url: external.map(str::to_owned),
            show_locked_card: true,
        }
    }

    #[test]
    fn every_purchase_method_gives_the_right_target() {
        use PurchaseMethod::*;
        let co = Some("https://buy.stripe.com/x");
        let sp = Some("https://site/p/app/prod");
        let ext = Some("https://shop.example.com/order");
        let t = |k, u: &str| Some(PurchaseTarget { kind: k, url: u.into() });
        let cases = vec![
            ("none is not for sale", fields(None, ext), co, sp, Option::None),
            ("sales page first", fields(SalesPageThenCheckout, Option::None), co, sp, t(TargetKind::SalesPage, sp.unwrap())),
            ("sales page missing: straight to checkout", fields(SalesPageThenCheckout, Option::None), co, Option::None, t(TargetKind::Checkout, co.unwrap())),
            ("a sales page with nothing to sell is not for sale yet", fields(SalesPageThenCheckout, Option::None), Option::None, sp, Option::None),
            ("direct checkout", fields(DirectCheckout, ext), co, sp, t(TargetKind::Checkout, co.unwrap())),
            ("direct to a custom order page when Checkout is off", fields(DirectCheckout, ext), Option::None, sp, t(TargetKind::ExternalUrl, ext.unwrap())),
            ("direct checkout with nothing to sell through", fields(DirectCheckout, Option::None), Option::None, sp, Option::None),
            ("external url", fields(ExternalUrl, ext), co, sp, t(TargetKind::ExternalUrl, ext.unwrap())),
        ];
        for (name, f, co, sp, want) in cases {
            assert_eq!(purchase_target(&f, co, sp), want, "{name}");
        }
    }

    #[test]
    fn products_that_cannot_sell_say_why() {
        use PurchaseMethod::*;
        let co = Some("https://buy.stripe.com/x");
        let ext = Some("https://shop.example.com/order");
        let cases = vec![
            (fields(None, Option::None), Option::None, false, Option::None),
            (fields(SalesPageThenCheckout, Option::None), Option::None, true, Some(SaleProblem::NoCheckout)),
            (fields(SalesPageThenCheckout, Option::None), co, false, Some(SaleProblem::NoSalesPage)),
            (fields(SalesPageThenCheckout, ext), Option::None, true, Option::None),
            (fields(DirectCheckout, Option::None), Option::None, true, Some(SaleProblem::NoCheckout)),
            (fields(DirectCheckout, Option::None), co, false, Option::None),
            (fields(ExternalUrl, Option::None), co, false, Some(SaleProblem::NoExternalUrl)),
            (fields(ExternalUrl, ext), Option::None, false, Option::None),
        ];
        for (i, (f, co, sp, want)) in cases.into_iter().enumerate() {
            assert_eq!(sale_problem(&f, co, sp), want, "case {i}");
            // Whatever cannot sell gives members no purchase target.
            let sp_url = sp.then_some("https://site/p/app/prod");
            if want.is_some_and(SaleProblem::blocks_sale) {
                assert_eq!(purchase_target(&f, co, sp_url), Option::None, "case {i}");
            }
        }
    }

    #[test]
    fn blocks_are_validated_with_paths() {
        let bad = vec![Block::Heading { text: "".into() }, Block::Image { url: "nope".into(), alt: "".into() }, Block::Bullets { items: vec!["".into()] }];
        let e = validate_blocks(&bad).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["blocks[0].text", "blocks[1].url", "blocks[2].items[0]"]);
        for t in TEMPLATES {
            let (_, blocks, _) = template(t, "Course", "", Some("https://img.example.com/a.png")).unwrap();
            validate_blocks(&blocks).unwrap();
        }
        assert!(template("fancy", "C", "", None).is_none());
    }
}
