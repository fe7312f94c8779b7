//! `#[bounds]`: a request field's bounds written once.
//!
//! On a struct deriving `validator::Validate` and `utoipa::ToSchema` (a JSON
//! body) or `utoipa::IntoParams` (a query), each field attribute
//! `#[bound(length(min = 1, max = 200))]` (or `length(equal = 3)`),
//! `#[bound(range(min = 1, max = 100))]` or, on a list, `#[bound(items(min = 1, max = 32))]` becomes the
//! `validator` rule (`#[validate(length(…))]` or `#[validate(range(…))]`,
//! checked on every request and answered as a 422 with code `length` /
//! `range`) and the same bounds in the OpenAPI document
//! (`min_length`/`max_length`, `minimum`/`maximum` or `min_items`/`max_items`
//! in `#[schema(…)]` or `#[param(…)]`). Other rules
//! (`email`, `nested`…) and schema settings stay in their own attributes; the
//! bounds are merged into them.
//!
//! Put `#[bounds]` above the `#[derive]`, so it runs first.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, Error, Expr, Fields, ItemStruct, Lit, Meta, MetaNameValue, Token, parse_macro_input};

#[proc_macro_attribute]
pub fn bounds(args: TokenStream, input: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return Error::new(proc_macro2::Span::call_site(), "#[bounds] takes no arguments").to_compile_error().into();
    }
    let mut item = parse_macro_input!(input as ItemStruct);
    match expand(&mut item) {
        Ok(()) => item.into_token_stream().into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Which utoipa attribute documents the fields.
fn doc_attr(item: &ItemStruct) -> syn::Result<&'static str> {
    let mut derives = Vec::new();
    for a in item.attrs.iter().filter(|a| a.path().is_ident("derive")) {
        a.parse_nested_meta(|m| {
            if let Some(last) = m.path.segments.last() {
                derives.push(last.ident.to_string());
            }
            Ok(())
        })?;
    }
    match (derives.iter().any(|d| d == "IntoParams"), derives.iter().any(|d| d == "ToSchema")) {
        (true, false) => Ok("param"),
        (false, true) => Ok("schema"),
        _ => Err(Error::new_spanned(&item.ident, "#[bounds] needs a struct deriving exactly one of ToSchema and IntoParams (and #[bounds] above its #[derive])")),
    }
}

fn expand(item: &mut ItemStruct) -> syn::Result<()> {
    let doc = doc_attr(item)?;
    let Fields::Named(fields) = &mut item.fields else {
        return Err(Error::new_spanned(&item.ident, "#[bounds] takes a struct with named fields"));
    };
    for field in fields.named.iter_mut() {
        let (bounds, rest): (Vec<Attribute>, Vec<Attribute>) = field.attrs.drain(..).partition(|a| a.path().is_ident("bound"));
        field.attrs = rest;
        for b in bounds {
            let (rule, doc_items) = rule_of(&b)?;
            merge(&mut field.attrs, "validate", rule);
            merge(&mut field.attrs, doc, doc_items);
        }
    }
    Ok(())
}

/// `length(min = 1, max = 200)` → the validator rule as written, and `min_length = 1, max_length = 200`;
/// `length(equal = 3)` → the validator rule as written, and `min_length = 3, max_length = 3`.
/// `range(min = 1, max = 100)` → the validator rule as written, and `minimum = 1, maximum = 100`.
/// `items(min = 1, max = 32)` → the validator rule `length(min = 1, max = 32)` (a list's length), and `min_items = 1, max_items = 32`.
fn rule_of(a: &Attribute) -> syn::Result<(Tokens, Tokens)> {
    let Meta::List(list) = &a.meta else {
        return Err(Error::new_spanned(a, "expected #[bound(length(…))], #[bound(range(…))] or #[bound(items(…))]"));
    };
    let rule: Meta = syn::parse2(list.tokens.clone())?;
    let Meta::List(inner) = &rule else {
        return Err(Error::new_spanned(&rule, "expected length(min = …, max = …), range(min = …, max = …) or items(min = …, max = …)"));
    };
    let kind = inner.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
    let names = match kind.as_str() {
        "length" => ("min_length", "max_length"),
        "range" => ("minimum", "maximum"),
        "items" => ("min_items", "max_items"),
        _ => return Err(Error::new_spanned(&inner.path, "a bound is length(…), range(…) or items(…)")),
    };
    let pairs = Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(inner.tokens.clone())?;
    let mut doc = Vec::new();
    for p in &pairs {
        let doc_names: &[&str] = match p.path.get_ident().map(|i| i.to_string()).as_deref() {
            Some("min") => &[names.0],
            Some("max") => &[names.1],
            // An exact length: the document's min and max.
            Some("equal") if kind == "length" => &[names.0, names.1],
            _ => return Err(Error::new_spanned(&p.path, "a bound has min and/or max (or, for a length, equal)")),
        };
        // Literals only: the OpenAPI attribute takes nothing else.
        if !matches!(&p.value, Expr::Lit(l) if matches!(l.lit, Lit::Int(_) | Lit::Float(_))) {
            return Err(Error::new_spanned(&p.value, "a bound is a number literal"));
        }
        for name in doc_names {
            let ident = syn::Ident::new(name, p.path.span());
            let value = &p.value;
            doc.push(quote!(#ident = #value));
        }
    }
    if doc.is_empty() {
        return Err(Error::new_spanned(inner, "a bound has min and/or max"));
    }
    // validator counts a list's items with the same `length` rule as a string's characters.
    let rule = if kind == "items" {
        let pairs = pairs.iter();
        quote!(length(#(#pairs),*))
    } else {
        rule.to_token_stream()
    };
    Ok((rule, quote!(#(#doc),*)))
}

/// Adds `items` to the field's `#[name(…)]` attribute, or adds that attribute.
fn merge(attrs: &mut Vec<Attribute>, name: &str, items: Tokens) {
    if let Some(a) = attrs.iter_mut().find(|a| a.path().is_ident(name) && matches!(a.meta, Meta::List(_))) {
        if let Meta::List(list) = &mut a.meta {
            let existing = list.tokens.clone();
            list.tokens = if existing.is_empty() { items } else { quote!(#items, #existing) };
        }
        return;
    }
    let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
    attrs.push(syn::parse_quote!(#[#ident(#items)]));
}

use syn::spanned::Spanned;
