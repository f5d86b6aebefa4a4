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
    /// Optical character recognition of images and image-only PDFs.
    pub ocr: Ocr,
}

/// How images and scanned PDFs are read: Debian's Tesseract (`tesseract-ocr` with
/// `tesseract-ocr-chi-sim`) and Poppler's `pdftoppm` to turn PDF pages into images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ocr {
    /// The `tesseract` program (`[disclosure] ocr_program`; empty turns OCR off).
    pub program: PathBuf,
    /// Its languages (`[disclosure] ocr_languages`).
    pub languages: String,
    /// The `pdftoppm` program (`[disclosure] pdf_render_program`).
    pub pdf_render: PathBuf,
    /// Pages of a scanned PDF read at most (`[disclosure] ocr_max_pages`); a longer scan is
    /// reported unreadable rather than half read.
    pub max_pages: u32,
}

impl Default for Ocr {
    fn default() -> Self {
        Ocr {
            program: PathBuf::from("tesseract"),
            languages: "chi_sim".into(),
            pdf_render: PathBuf::from("pdftoppm"),
            max_pages: 30,
        }
    }
}

/// What reading an attachment gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Its text (from the file itself or by OCR), to scan and to index.
    Text(String),
    /// The file could not be read; the reason, in Chinese. Never taken as clean: the scan turns
    /// it into a finding a reviewer must confirm by hand.
    Unreadable(String),
}

/// A PDF with fewer visible characters than this is taken for a scan (images only).
const SCANNED_PDF_CHARS: usize = 20;

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox {
            program: None,
            memory_mb: 512,
            cpu_secs: 30,
            ocr: Ocr::default(),
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

    /// Reads an attachment for the scan: text files and documents as [`Sandbox::extract`] does,
    /// images and image-only PDFs by OCR. A file that is corrupt or over the limits is an error
    /// (uploads refuse it); one that is well-formed but whose text cannot be read (no OCR on
    /// this machine, a scan OCR finds nothing in, a scan too long) is [`Reading::Unreadable`].
    /// Blocking: call it off the async threads.
    pub fn read(
        &self,
        content_type: &str,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<Reading, ExtractError> {
        if content_type.starts_with("image/") {
            return Ok(self.ocr_images(&[bytes.to_vec()], "图片"));
        }
        let text = self.extract(bytes, limits)?;
        let visible = text.chars().filter(|c| !c.is_whitespace()).count();
        if visible >= SCANNED_PDF_CHARS
            || !matches!(gongkai_extract::detect(bytes), Ok(Format::Pdf))
        {
            return Ok(Reading::Text(text));
        }
        match self.pdf_pages(bytes) {
            Ok(pages) => match self.ocr_images(&pages, "扫描件（PDF 无文字层）") {
                Reading::Text(t) => Ok(Reading::Text(format!("{text}\n{t}"))),
                unreadable => Ok(unreadable),
            },
            Err(reason) => Ok(Reading::Unreadable(format!(
                "扫描件（PDF 无文字层）：{reason}"
            ))),
        }
    }

    /// OCR of images; all their text, or why it could not be had.
    fn ocr_images(&self, images: &[Vec<u8>], what: &str) -> Reading {
        if self.ocr.program.as_os_str().is_empty() {
            return Reading::Unreadable(format!(
                "{what}：文字识别（OCR）已关闭，无法检查其中的文字，请人工核对"
            ));
        }
        let mut text = String::new();
        for image in images {
            let out = self.limited(
                &self.ocr.program,
                &["stdin", "stdout", "-l", &self.ocr.languages],
                image,
            );
            match out {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Reading::Unreadable(format!(
                        "{what}：本机未安装文字识别（OCR）组件 tesseract-ocr 及 tesseract-ocr-chi-sim，无法检查其中的文字，请人工核对"
                    ));
                }
                Err(e) => {
                    return Reading::Unreadable(format!("{what}：文字识别无法启动（{e}）"));
                }
                Ok(out) if !out.status.success() => {
                    // Tesseract's own words are English: say in Chinese what went wrong
                    let err = String::from_utf8_lossy(&out.stderr);
                    let reason = if err.contains("Failed loading language") {
                        "本机缺少所需的文字识别语言数据（tesseract-ocr-chi-sim）"
                    } else if err.contains("pixRead") || err.contains("Error in") {
                        "图片文件已损坏或格式异常"
                    } else {
                        "超出内存或时间限制"
                    };
                    return Reading::Unreadable(format!(
                        "{what}：文字识别失败，{reason}，请人工核对"
                    ));
                }
                Ok(out) => text.push_str(&String::from_utf8_lossy(&out.stdout)),
            }
        }
        if text.chars().filter(|c| !c.is_whitespace()).count() == 0 {
            return Reading::Unreadable(format!(
                "{what}：文字识别未识别出任何文字，请人工核对其内容"
            ));
        }
        Reading::Text(text)
    }

    /// The pages of a PDF as PNG images (at most `ocr.max_pages`), rendered by `pdftoppm` in a
    /// child process under the limits.
    fn pdf_pages(&self, pdf: &[u8]) -> Result<Vec<Vec<u8>>, String> {
        if self.ocr.program.as_os_str().is_empty() {
            return Err("文字识别（OCR）已关闭，无法检查其中的文字，请人工核对".into());
        }
        let dir = std::env::temp_dir().join(format!(
            "gongkai-ocr-{}-{}",
            std::process::id(),
            crate::secrets::random_token()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("无法建立临时目录（{e}）"))?;
        let result = (|| {
            let prefix = dir.join("page");
            let prefix = prefix.to_string_lossy();
            let last = (self.ocr.max_pages + 1).to_string();
            let out = self
                .limited(
                    &self.ocr.pdf_render,
                    &["-r", "200", "-gray", "-png", "-l", &last, "-", &prefix],
                    pdf,
                )
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        "本机未安装 PDF 渲染组件 poppler-utils，无法做文字识别，请人工核对"
                            .to_string()
                    } else {
                        format!("PDF 渲染无法启动（{e}）")
                    }
                })?;
            if !out.status.success() {
                return Err("PDF 渲染失败（文件结构异常或超出限制）".to_string());
            }
            let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            pages.sort();
            if pages.len() > self.ocr.max_pages as usize {
                return Err(format!(
                    "超过 {} 页，未做文字识别，请人工核对",
                    self.ocr.max_pages
                ));
            }
            pages
                .iter()
                .map(|p| std::fs::read(p).map_err(|e| e.to_string()))
                .collect()
        })();
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    /// Runs a program under the child limits, the input on its stdin.
    fn limited(
        &self,
        program: &std::path::Path,
        args: &[&str],
        input: &[u8],
    ) -> std::io::Result<std::process::Output> {
        // look the program up first: `sh` would otherwise report a missing one as exit 127
        let found = if program.components().count() > 1 {
            program.is_file().then(|| program.to_path_buf())
        } else {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(program))
                    .find(|p| p.is_file())
            })
        };
        let Some(found) = found else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                program.display().to_string(),
            ));
        };
        let script = format!(
            "ulimit -v {}; ulimit -t {}; exec \"$0\" \"$@\"",
            self.memory_mb.saturating_mul(1024),
            self.cpu_secs
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(found)
            .args(args)
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let Some(mut stdin) = child.stdin.take() else {
            return Err(std::io::Error::other("no stdin"));
        };
        let input = input.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output();
        let _ = writer.join();
        out
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
