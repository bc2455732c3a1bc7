//! A push's progress on stderr: a bar redrawn in place when stderr is a
//! terminal (a person watching), plain lines otherwise (a CI log, where
//! carriage returns and escape codes would be noise). Either way stdout
//! keeps only what scripts read.

use std::io::{IsTerminal, Write};

/// Characters of the bar between its brackets.
const BAR_WIDTH: usize = 30;
/// The most of a step's description shown after the bar.
const LABEL_CHARS: usize = 60;

/// Erase the terminal line the cursor is on and go to its start.
const CLEAR_LINE: &str = "\r\x1b[2K";

pub struct Progress<W: Write> {
    out: W,
    terminal: bool,
    /// A bar is drawn on the current line (so a line printed now must
    /// clear it first, and the end must close it).
    bar_shown: bool,
    /// Steps done so far: steps run concurrently and finish out of order,
    /// so the bar counts them rather than showing the last one's number.
    done: usize,
}

impl Progress<std::io::Stderr> {
    pub fn for_stderr() -> Self {
        let out = std::io::stderr();
        let terminal = out.is_terminal();
        Progress::new(out, terminal)
    }
}

impl<W: Write> Progress<W> {
    pub fn new(out: W, terminal: bool) -> Self {
        Progress {
            out,
            terminal,
            bar_shown: false,
            done: 0,
        }
    }

    /// A line that stays (a warning, the start, the tags written).
    pub fn line(&mut self, text: &str) {
        let clear = if self.bar_shown { CLEAR_LINE } else { "" };
        self.bar_shown = false;
        // stderr that cannot be written to is nothing to fail a push over.
        let _ = writeln!(self.out, "{clear}{text}");
    }

    /// Step `index` of `total` is done (in a log: its own line, numbered).
    pub fn step(&mut self, index: usize, total: usize, description: &str, detail: Option<&str>) {
        self.done += 1;
        let label = match detail {
            Some(detail) => format!("{description}: {detail}"),
            None => description.to_string(),
        };
        if !self.terminal {
            return self.line(&format!("[{index}/{total}] {label}"));
        }
        let _ = write!(
            self.out,
            "{CLEAR_LINE}{} {}/{total} {}",
            bar(self.done, total, BAR_WIDTH),
            self.done,
            shorten(&label, LABEL_CHARS)
        );
        let _ = self.out.flush();
        self.bar_shown = true;
    }

    /// The push ended: the bar's line is closed.
    pub fn finish(&mut self) {
        if self.bar_shown {
            let _ = writeln!(self.out);
            self.bar_shown = false;
        }
    }
}

/// `[#########.....................]` for `done` of `total`.
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done.min(total) * width)
        .checked_div(total)
        .unwrap_or(width);
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(terminal: bool) -> String {
        let mut p = Progress::new(Vec::new(), terminal);
        p.line("pushing r/a:1 (2 registry writes)");
        p.step(2, 2, "blob sha256:aa", Some("mounted"));
        p.line("warning: careful");
        p.step(1, 2, "index by digest", None);
        p.finish();
        p.line("pushed r/a:1");
        String::from_utf8(p.out).unwrap()
    }

    #[test]
    fn plain_lines_without_a_terminal() {
        assert_eq!(
            run(false),
            "pushing r/a:1 (2 registry writes)\n[2/2] blob sha256:aa: mounted\nwarning: careful\n[1/2] index by digest\npushed r/a:1\n"
        );
    }

    #[test]
    fn a_bar_redrawn_in_place_on_a_terminal() {
        let text = run(true);
        let half = bar(1, 2, BAR_WIDTH);
        let full = bar(2, 2, BAR_WIDTH);
        assert_eq!(
            text,
            format!(
                "pushing r/a:1 (2 registry writes)\n{CLEAR_LINE}{half} 1/2 blob sha256:aa: mounted{CLEAR_LINE}warning: careful\n{CLEAR_LINE}{full} 2/2 index by digest\npushed r/a:1\n"
            )
        );
    }

    #[test]
    fn bars_and_labels() {
        assert_eq!(bar(0, 4, 8), "[........]");
        assert_eq!(bar(1, 4, 8), "[##......]");
        assert_eq!(bar(4, 4, 8), "[########]");
        assert_eq!(bar(9, 4, 8), "[########]");
        assert_eq!(bar(0, 0, 8), "[########]");
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
