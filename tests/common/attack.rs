//! What an attack on a server process is made of and measured with, shared by
//! `tests/memory_under_attack.rs` (through `common`) and `examples/bench.rs` (which includes this
//! file with `#[path]`: the bench cannot use the rest of `common`). Standard library only.

use std::io::{BufRead, Write};

/// Sends an 8 MiB JSON body of small values (what parses into the most memory) without a token
/// and returns whatever status line came back (none if the server closed first).
pub fn send_big_body(addr: &str, path: &str) -> String {
    let Ok(stream) = std::net::TcpStream::connect(addr) else {
        return String::new();
    };
    let mut body = String::from("{\"a\":[");
    while body.len() < 8 * 1024 * 1024 - 4 {
        body.push_str("0,");
    }
    body.push_str("0]}");
    let head = format!(
        "POST /api/2.0/{path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // The server answers without reading the whole body (that is the point): the body is
    // written on its own thread, and the connection closed once the answer's status is in.
    let Ok(mut writer) = stream.try_clone() else {
        return String::new();
    };
    let sending = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes()).and_then(|_| writer.write_all(body.as_bytes()));
    });
    let mut status = String::new();
    let _ = std::io::BufReader::new(&stream).read_line(&mut status);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sending.join();
    status.trim().to_string()
}

/// A memory figure of `/proc/<pid>/status` (`VmHWM:` peak, `VmRSS:` now), in KiB; none if the
/// process or the figure is not there.
pub fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix(field)).and_then(|rest| rest.split_whitespace().next())?.parse().ok()
}
