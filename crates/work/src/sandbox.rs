//! Text extraction of untrusted files in a child process under memory and CPU limits. The PDF
//! parser has no budget of its own: a small file can ask it for gigabytes (a compressed page
//! that inflates to 1 GB, millions of text operators). Run inside `gongkai extract-text` with
//! `ulimit -v` and `ulimit -t`, such a file costs the child its life, never the server its
//! memory; the file is reported unreadable. Other formats are bounded in process by
//! [`gongkai_extract::Limits`].

use gongkai_extract::{ExtractError, Format, Limits};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// How untrusted files are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandbox {
    /// The `gongkai` binary that runs `extract-text`; `None` reads in process (tests, and
    /// trusted demo files).
    pub program: Option<PathBuf>,
    /// Address space of the child, MiB (`[disclosure] extract_memory_mb`).
    pub memory_mb: u64,
    /// CPU time of the child, seconds (`[disclosure] extract_cpu_secs`).
    pub cpu_secs: u64,
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox {
            program: None,
            memory_mb: 512,
            cpu_secs: 30,
        }
    }
}

impl Sandbox {
    /// The text of a file: a PDF in the child process when a program is set, everything else
    /// in process. Blocking: call it off the async threads.
    pub fn extract(&self, bytes: &[u8], limits: &Limits) -> Result<String, ExtractError> {
        match (&self.program, gongkai_extract::detect(bytes)) {
            (Some(program), Ok(Format::Pdf)) => self.in_child(program, bytes, limits),
            _ => gongkai_extract::extract_with(bytes, limits),
        }
    }

    fn in_child(
        &self,
        program: &PathBuf,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<String, ExtractError> {
        let failed = |reason: String| ExtractError::Corrupt {
            format: Format::Pdf,
            reason,
        };
        let script = format!(
            "ulimit -v {}; ulimit -t {}; exec \"$0\" extract-text --max-text-bytes {}",
            self.memory_mb.saturating_mul(1024),
            self.cpu_secs,
            limits.max_text_bytes
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(program)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(format!("无法启动解析进程：{e}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| failed("无法启动解析进程".into()))?;
        let input = bytes.to_vec();
        // written from another thread: the child may answer before it has read everything
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child
            .wait_with_output()
            .map_err(|e| failed(format!("解析进程异常：{e}")))?;
        let _ = writer.join();
        match out.status.code() {
            Some(0) => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
            // the child's own refusal, in its own words
            Some(2) => Err(failed(
                String::from_utf8_lossy(&out.stderr)
                    .trim()
                    .rsplit('：')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            )),
            _ => Err(ExtractError::TooLarge(format!(
                "解析时超出内存（{} MB）或时间（{} 秒）限制，文件可能是压缩炸弹或结构异常",
                self.memory_mb, self.cpu_secs
            ))),
        }
    }
}
