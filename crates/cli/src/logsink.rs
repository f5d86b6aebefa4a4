//! Where `gongkai serve` writes its logs: standard error through a buffer, so that the access log
//! (one line per request) costs a memory copy instead of a system call per line. The buffer is
//! written out every 200 ms, at once for warnings and errors, and when the server stops.

use std::io::{BufWriter, Stderr, Write};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

type Shared = Arc<Mutex<BufWriter<Stderr>>>;

static SINK: OnceLock<Shared> = OnceLock::new();

/// The buffered log writer.
#[derive(Clone)]
pub struct LogSink(Shared);

impl LogSink {
    /// Creates the buffer and the thread that writes it out periodically.
    pub fn start() -> LogSink {
        let shared = SINK
            .get_or_init(|| {
                let shared: Shared = Arc::new(Mutex::new(BufWriter::with_capacity(
                    64 * 1024,
                    std::io::stderr(),
                )));
                let flusher = shared.clone();
                std::thread::spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_millis(200));
                        if let Ok(mut w) = flusher.lock() {
                            let _ = w.flush();
                        }
                    }
                });
                shared
            })
            .clone();
        LogSink(shared)
    }

    /// Writes out what is buffered (before the process ends).
    pub fn flush_all() {
        if let Some(shared) = SINK.get()
            && let Ok(mut w) = shared.lock()
        {
            let _ = w.flush();
        }
    }
}

/// One log event's writer.
pub struct EventWriter {
    shared: Shared,
    urgent: bool,
}

impl Write for EventWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut w = self
            .shared
            .lock()
            .map_err(|_| std::io::Error::other("log buffer poisoned"))?;
        w.write_all(buf)?;
        if self.urgent {
            w.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.shared.lock() {
            Ok(mut w) => w.flush(),
            Err(_) => Ok(()),
        }
    }
}

impl<'a> MakeWriter<'a> for LogSink {
    type Writer = EventWriter;

    fn make_writer(&'a self) -> EventWriter {
        EventWriter {
            shared: self.0.clone(),
            urgent: false,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> EventWriter {
        EventWriter {
            shared: self.0.clone(),
            // warnings and errors are written at once
            urgent: *meta.level() <= Level::WARN,
        }
    }
}
