//! XLSX: the grid reader of imports and the text of attachments, within the default limits.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    // Parser panics are caught by `gongkai_extract` and reported as unreadable files (that is
    // the behaviour under test); libFuzzer's hook would count a caught panic as a crash. A panic
    // that escapes still aborts the run.
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
        let _ = gongkai_extract::sheet::read_grid(data);
        let _ = gongkai_extract::extract(data);
    }
);
