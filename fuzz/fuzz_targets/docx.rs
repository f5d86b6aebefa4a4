//! DOCX (and anything else a ZIP container may claim to be): the text of attachments.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gongkai_extract::extract(data);
});
