//! Email templates: a subject and a Markdown body with `{{variables}}`,
//! rendered to an HTML part (the shared renderer, `crate::markdown`, so no raw
//! HTML or script survives) and a text part. Unknown variables are refused when a
//! template is saved, so a run never sends `{{membr.name}}` to a member.

use std::collections::HashMap;

use tollgate_domain::ValidationErrors;

use crate::mail::{Rendered, Site};

/// The variables a template may use, with what they hold.
pub const VARIABLES: [(&str, &str); 7] = [
    ("member.name", "The member's name (or their email when they gave none)"),
    ("member.email", "The member's email address"),
    ("product.name", "The product the trigger is about (empty when none)"),
    ("product.url", "The member-area page of that product"),
    ("library_url", "The member's library"),
    ("portal_url", "Where the member signs in"),
    ("site.name", "The site's name"),
];

/// The built-in templates, always available: (id, name, subject, body).
pub const BUILT_IN: [(&str, &str, &str, &str); 3] = [
    (
        "builtin:welcome",
        "Welcome",
        "Welcome to {{site.name}}",
        "Hi {{member.name}},\n\nWelcome to **{{site.name}}**. Your library is waiting: [open it]({{library_url}}).\n",
    ),
    (
        "builtin:access_granted",
        "Access granted",
        "You now have access to {{product.name}}",
        "Hi {{member.name}},\n\nYou can now open **{{product.name}}**: [start here]({{product.url}}).\n",
    ),
    (
        "builtin:sign_in",
        "Sign-in reminder",
        "Sign in to {{site.name}}",
        "Hi {{member.name}},\n\nSign in any time at [{{portal_url}}]({{portal_url}}) — we'll email you a link, no password needed.\n",
    ),
];

/// The `{{ name }}` placeholders of a text, in order.
pub fn placeholders(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        match after.find("}}") {
            Some(j) => {
                out.push(after[..j].trim().to_owned());
                rest = &after[j + 2..];
            }
            None => break,
        }
    }
    out
}

fn known(name: &str) -> bool {
    VARIABLES.iter().any(|(v, _)| *v == name)
}

/// Checks a template's name, subject and body.
pub fn check(name: &str, subject: &str, body: &str, e: &mut ValidationErrors) {
    if name.trim().is_empty() || name.chars().count() > 100 {
        e.add("name", "length", "between 1 and 100 characters");
    }
    if subject.trim().is_empty() || subject.chars().count() > 200 || subject.contains('\n') {
        e.add("subject", "length", "one line of 1 to 200 characters");
    }
    if body.trim().is_empty() || body.len() > 50_000 {
        e.add("body", "length", "between 1 and 50,000 characters");
    }
    for (field, text) in [("subject", subject), ("body", body)] {
        for p in placeholders(text) {
            if !known(&p) {
                let list = VARIABLES.iter().map(|(v, _)| format!("{{{{{v}}}}}")).collect::<Vec<_>>().join(", ");
                e.add(field, "unknown_variable", format!("{{{{{p}}}}} is not a variable; use {list}"));
            }
        }
    }
}

fn substitute(s: &str, vars: &HashMap<&str, String>, escape_md: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find("}}") {
            Some(j) => {
                let v = vars.get(after[..j].trim()).cloned().unwrap_or_default();
                // Values are data, not Markdown: a member named `*bold*` stays literal.
                if escape_md {
                    for ch in v.chars() {
                        if "\\`*_{}[]()#+-.!<>|".contains(ch) {
                            out.push('\\');
                        }
                        out.push(ch);
                    }
                } else {
                    out.push_str(&v);
                }
                rest = &after[j + 2..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Renders a template with the variables' values, in the site's branded frame.
pub fn render(template: &'static str, site: &Site, subject: &str, body: &str, vars: &HashMap<&str, String>) -> Rendered {
    let subject = substitute(subject, vars, false).replace(['\r', '\n'], " ");
    let md = substitute(body, vars, true);
    let text = substitute(body, vars, false);
    let html = crate::mail::layout(site, &crate::markdown::to_html(&md));
    Rendered { template, subject, text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_variables_are_refused() {
        let mut e = ValidationErrors::new();
        check("Hi", "Hello {{member.name}}", "Dear {{membr.name}}, see {{ product.name }}", &mut e);
        assert_eq!(e.0.len(), 1);
        assert_eq!((e.0[0].field.as_str(), e.0[0].code.as_str()), ("body", "unknown_variable"));
        for (_, name, subject, body) in BUILT_IN {
            let mut e = ValidationErrors::new();
            check(name, subject, body, &mut e);
            assert!(e.0.is_empty(), "{name}: {e:?}");
        }
    }

    #[test]
    fn renders_markdown_safely() {
        let vars: HashMap<&str, String> = [("member.name", "<script>x</script> *Ada*".to_owned()), ("library_url", "https://site.test/member".to_owned())].into();
        let site = Site { name: "Academy".into(), logo_url: Some("https://cdn.example.com/l.png".into()), accent: Some("#2f855a".into()) };
        let r = render("t", &site, "Hi {{member.name}}", "**Welcome** {{member.name}} [go]({{library_url}})\n\n<img src=x onerror=alert(1)>", &vars);
        assert!(r.html.contains("<strong>Welcome</strong>"), "{}", r.html);
        // Raw HTML in a template is shown as text, never as a tag.
        assert!(!r.html.contains("<script") && !r.html.contains("<img src=x"), "{}", r.html);
        assert!(r.html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{}", r.html);
        assert!(r.html.contains("*Ada*"), "variables stay literal: {}", r.html);
        assert!(r.html.contains(r#"href="https://site.test/member""#), "{}", r.html);
        assert!(r.text.contains("<script>x</script> *Ada*"));
        assert_eq!(r.subject, "Hi <script>x</script> *Ada*");
        // The site's frame: its logo, name and accent colour.
        assert!(r.html.contains(r#"<img src="https://cdn.example.com/l.png""#) && r.html.contains("border-top:4px solid #2f855a") && r.html.contains(">Academy</p>"), "{}", r.html);
    }
}
