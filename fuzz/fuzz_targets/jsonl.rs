//! JSON Lines of the item import: every line named, none lost.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let rows = gongkai_domain::disclosure::parse_jsonl(data);
    let lines = data.split(|&b| b == b'\n').count();
    for (line, row) in &rows {
        assert!(*line >= 1 && *line <= lines);
        if let Ok(r) = row {
            let _ = r.key();
        }
    }
});
