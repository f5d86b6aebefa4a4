//! XLSX: the grid reader of imports and the text of attachments, within the default limits.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gongkai_extract::sheet::read_grid(data);
    let _ = gongkai_extract::extract(data);
});
