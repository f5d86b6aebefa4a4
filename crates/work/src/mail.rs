//! Sending e-mail over SMTP: a small client for a relay the deployment names (no TLS, no
//! authentication: the relay is on the local network, typically the host's own MTA). Blocking;
//! call it from a blocking thread.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// A message to send.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Envelope and header sender.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Subject (UTF-8; encoded for the header here).
    pub subject: String,
    /// Plain-text body (UTF-8).
    pub body: String,
}

fn header_words(s: &str) -> String {
    format!("=?UTF-8?B?{}?=", data_encoding::BASE64.encode(s.as_bytes()))
}

fn valid_address(a: &str) -> bool {
    !a.is_empty() && a.contains('@') && !a.contains(['<', '>', '\r', '\n', ' '])
}

/// The message in RFC 5322 form, body in base64, dot-stuffing unnecessary (base64 has no dots
/// at line start).
pub fn render(mail: &Mail, message_id: &str) -> String {
    let body = data_encoding::BASE64.encode(mail.body.as_bytes());
    let mut wrapped = String::new();
    for chunk in body.as_bytes().chunks(76) {
        wrapped.push_str(&String::from_utf8_lossy(chunk));
        wrapped.push_str("\r\n");
    }
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{wrapped}",
        from = mail.from,
        to = mail.to.join(", "),
        subject = header_words(&mail.subject),
        date = chrono::Utc::now().to_rfc2822(),
    )
}

/// Sends `mail` through the SMTP relay at `addr` (`host:port`). Returns the relay's answer to
/// the message, or what went wrong (in Chinese, with the relay's words).
pub fn send(
    addr: &str,
    mail: &Mail,
    message_id: &str,
    timeout: Duration,
) -> Result<String, String> {
    if !valid_address(&mail.from) || mail.to.is_empty() || !mail.to.iter().all(|a| valid_address(a))
    {
        return Err("邮件地址无效".into());
    }
    let sock = addr
        .to_socket_addrs()
        .map_err(|e| format!("邮件服务器地址无效：{e}"))?
        .next()
        .ok_or_else(|| "邮件服务器地址无效".to_string())?;
    let stream = TcpStream::connect_timeout(&sock, timeout)
        .map_err(|e| format!("无法连接邮件服务器 {addr}：{e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
    let mut writer = stream;
    let expect = |reader: &mut BufReader<TcpStream>, code: &str| -> Result<String, String> {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let n = reader
                .read_line(&mut line)
                .map_err(|e| format!("读取邮件服务器应答失败：{e}"))?;
            if n == 0 {
                return Err(format!("邮件服务器断开连接（已收到：{}）", all.trim()));
            }
            all.push_str(&line);
            // A multi-line reply continues with "250-"; the last line has "250 ".
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                break;
            }
        }
        if all.starts_with(code) {
            Ok(all.trim().to_string())
        } else {
            Err(format!("邮件服务器拒绝：{}", all.trim()))
        }
    };
    let say = |writer: &mut TcpStream, line: &str| -> Result<(), String> {
        writer
            .write_all(format!("{line}\r\n").as_bytes())
            .map_err(|e| format!("发送到邮件服务器失败：{e}"))
    };
    expect(&mut reader, "220")?;
    say(&mut writer, "EHLO gongkai")?;
    expect(&mut reader, "250")?;
    say(&mut writer, &format!("MAIL FROM:<{}>", mail.from))?;
    expect(&mut reader, "250")?;
    for to in &mail.to {
        say(&mut writer, &format!("RCPT TO:<{to}>"))?;
        expect(&mut reader, "25")?;
    }
    say(&mut writer, "DATA")?;
    expect(&mut reader, "354")?;
    writer
        .write_all(render(mail, message_id).as_bytes())
        .map_err(|e| format!("发送邮件内容失败：{e}"))?;
    say(&mut writer, ".")?;
    let answer = expect(&mut reader, "250")?;
    let _ = say(&mut writer, "QUIT");
    Ok(answer)
}
