//! Escaping text for HTML written by hand (search snippets, reminder mails); pages use askama's
//! own escaping.

/// Escapes `&`, `<`, `>`, `"` and `'`.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            super::escape_html("<b>\"Sở\" & 'Bộ'</b>"),
            "&lt;b&gt;&quot;Sở&quot; &amp; &#39;Bộ&#39;&lt;/b&gt;"
        );
    }
}
