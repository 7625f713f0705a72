//! Running the external readers (pdfinfo, pdftotext, pdfimages, pdftoppm, convert, tesseract) with
//! a deadline: output goes to files in the reading's temporary directory (no pipe can fill up), and a
//! process still running at the deadline is killed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ParseError;

/// What a finished external process left behind.
#[derive(Debug)]
pub struct Finished {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs `program` with `args` in `dir` until it exits or `deadline` passes (then it is killed and
/// [`ParseError::Timeout`] returned). A missing program is [`ParseError::ToolUnavailable`].
pub fn run(
    program: &'static str,
    args: &[&str],
    dir: &Path,
    deadline: Instant,
    timeout: Duration,
) -> Result<Finished, ParseError> {
    let io = |e: std::io::Error| ParseError::Io(format!("{program}: {e}"));
    let stdout_path = dir.join(format!("{program}.stdout"));
    let stderr_path = dir.join(format!("{program}.stderr"));
    let stdout = std::fs::File::create(&stdout_path).map_err(io)?;
    let stderr = std::fs::File::create(&stderr_path).map_err(io)?;
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ParseError::ToolUnavailable(program),
            _ => io(e),
        })?;
    let mut pause = Duration::from_millis(2);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io(e));
            }
        }
        let now = Instant::now();
        if now >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ParseError::Timeout {
                seconds: timeout.as_secs(),
            });
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    let read = |path: &Path| {
        std::fs::read(path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    };
    Ok(Finished {
        success: status.success(),
        stdout: read(&stdout_path),
        stderr: read(&stderr_path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kills_a_process_at_the_deadline() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let started = Instant::now();
        let timeout = Duration::from_millis(200);
        let result = run("sleep", &["5"], dir.path(), started + timeout, timeout);
        assert_eq!(result.err(), Some(ParseError::Timeout { seconds: 0 }));
        assert!(started.elapsed() < Duration::from_secs(2));
        Ok(())
    }

    #[test]
    fn reports_a_missing_program_and_captures_output() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let missing = run(
            "dondoc-no-such-tool",
            &[],
            dir.path(),
            deadline,
            Duration::ZERO,
        );
        assert_eq!(
            missing.err(),
            Some(ParseError::ToolUnavailable("dondoc-no-such-tool"))
        );
        let echoed = run("echo", &["xin chào"], dir.path(), deadline, Duration::ZERO)?;
        assert!(echoed.success);
        assert_eq!(echoed.stdout, "xin chào\n");
        Ok(())
    }
}
