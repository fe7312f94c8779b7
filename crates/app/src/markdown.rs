//! The one Markdown renderer: lesson bodies, sales-page text blocks and
//! email templates all go through [`to_html`], so the member area, the public
//! sales page and emails show the same thing.
//!
//! Rendered on the server (pulldown-cmark, then ammonia) rather than in the
//! SPA: emails need it anyway, the SPA ships no parser or sanitizer, and
//! clients only ever receive HTML that was cleaned once, here.
//!
//! Raw HTML written in the Markdown is shown as text, not interpreted; ammonia
//! then cleans the output again, so no script, event handler or `javascript:`
//! URL survives even if the parser had a bug. Every link gets
//! `rel="noopener noreferrer nofollow"`; links to other sites open in a new tab.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// The largest Markdown text rendered (a lesson body's limit).
pub const MAX_LEN: usize = 200_000;

fn external(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("https://") || u.starts_with("http://") || u.starts_with("//")
}

fn attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Markdown to sanitized HTML (a fragment, no `<html>` wrapper).
pub fn to_html(md: &str) -> String {
    let opts = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    // Links cannot nest in CommonMark; remember whether the open one was rewritten.
    let mut open_external = false;
    let events = Parser::new_ext(md, opts).map(|ev| match ev {
        // Raw HTML in the source is text, never markup.
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Link { dest_url, title, .. }) if external(&dest_url) => {
            open_external = true;
            let title = if title.is_empty() { String::new() } else { format!(" title=\"{}\"", attr(&title)) };
            Event::InlineHtml(CowStr::from(format!("<a href=\"{}\"{title} target=\"_blank\">", attr(&dest_url))))
        }
        Event::End(TagEnd::Link) if open_external => {
            open_external = false;
            Event::InlineHtml(CowStr::Borrowed("</a>"))
        }
        other => other,
    });
    let mut html = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["https", "http", "mailto"].into())
        .add_tag_attributes("a", &["target"])
        .add_tag_attributes("input", &["type", "checked", "disabled"])
        .add_tags(&["input"])
        .attribute_filter(|el, at, v| match (el, at) {
            ("a", "target") => (v == "_blank").then(|| v.into()),
            ("input", "type") => (v == "checkbox").then(|| v.into()),
            _ => Some(v.into()),
        })
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn formats_markdown() {
        let h = to_html("# Title\n\nSome **bold** and *soft* text.\n\n- one\n- two\n\n```\ncode\n```\n");
        assert!(h.contains("<h1>Title</h1>"), "{h}");
        assert!(h.contains("<strong>bold</strong>") && h.contains("<em>soft</em>"), "{h}");
        assert!(h.contains("<li>one</li>") && h.contains("<code>code\n</code>"), "{h}");
    }

    #[test]
    fn raw_html_and_scripts_do_not_survive() {
        let h = to_html("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> [x](javascript:alert(1)) <b>b</b>");
        assert!(!h.contains("<script") && !h.contains("<img") && !h.contains("<b>"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "raw HTML is shown as text: {h}");
        assert!(!h.contains("javascript:"), "{h}");
    }

    #[test]
    fn external_links_open_safely_in_a_new_tab() {
        let h = to_html("[site](https://example.com/a?b=1&c=\"2\") and [mail](mailto:a@b.test) and [top](#top)");
        assert!(h.contains(r#"href="https://example.com/a?b=1&amp;c=%222%22""#) || h.contains(r#"href="https://example.com/a?b=1&amp;c=&quot;2&quot;""#), "{h}");
        let ext = h.split("<a ").nth(1).unwrap();
        assert!(ext.contains(r#"target="_blank""#) && ext.contains(r#"rel="noopener noreferrer nofollow""#), "{h}");
        let mail = h.split("<a ").nth(2).unwrap();
        assert!(!mail.contains("target=") && mail.contains("rel=\"noopener noreferrer nofollow\""), "{h}");
        assert!(h.contains(r##"href="#top""##), "{h}");
    }

    #[test]
    fn a_target_written_by_hand_is_dropped() {
        // Raw HTML is text, so only the renderer's own target survives.
        let h = to_html("[x](/member \"t\")");
        assert!(!h.contains("target="), "{h}");
    }
}
