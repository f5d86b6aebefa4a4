//! Rich-text bodies: cleaning for storage, and showing and indexing what was stored.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(body) = gongkai_domain::richtext::clean_body(text) {
        let html = gongkai_domain::richtext::to_html(&body);
        // what is stored shows without anything the sanitiser removes
        assert!(!html.contains("<script"), "{html}");
        let _ = gongkai_domain::richtext::to_text(&body);
    }
    let _ = gongkai_domain::richtext::to_html(text);
});
