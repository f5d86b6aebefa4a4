//! PDF text. A parser panic must come back as an unreadable file (the server reads untrusted
//! PDFs in a child process under limits; this target checks the in-process part).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    // Parser panics are caught by `gongkai_extract` and reported as unreadable files (that is
    // the behaviour under test); libFuzzer's hook would count a caught panic as a crash. A panic
    // that escapes still aborts the run.
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
        let mut pdf = b"%PDF-".to_vec();
        pdf.extend_from_slice(data.strip_prefix(b"%PDF-").unwrap_or(data));
        let _ = gongkai_extract::extract(&pdf);
    }
);
