//! Cutting the push progress stream into lines. The network hands the body
//! over in chunks that can end anywhere, even inside a multi-byte character,
//! so bytes are buffered until a newline and only whole lines are decoded.

/// Bytes received so far that do not yet end with a newline.
#[derive(Debug, Default)]
pub struct LineBuffer {
    pending: Vec<u8>,
}

impl LineBuffer {
    /// Add a chunk; returns every line it completed (without the newline),
    /// skipping blank ones.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(chunk);
        let mut lines = Vec::new();
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            push_line(&mut lines, &line[..end]);
        }
        lines
    }

    /// The end of the stream: whatever is left is the last line (a stream
    /// that does not end with a newline still delivers it).
    pub fn finish(&mut self) -> Vec<String> {
        let rest = std::mem::take(&mut self.pending);
        let mut lines = Vec::new();
        push_line(&mut lines, &rest);
        lines
    }
}

fn push_line(lines: &mut Vec<String>, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if !text.is_empty() {
        lines.push(text.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_across_chunks_are_joined() {
        let mut buf = LineBuffer::default();
        assert!(buf.push(b"{\"a\":").is_empty());
        assert_eq!(buf.push(b"1}\n{\"b\""), vec!["{\"a\":1}".to_string()]);
        assert_eq!(
            buf.push(b":2}\n\n{\"c\":3}\n"),
            vec!["{\"b\":2}".to_string(), "{\"c\":3}".to_string()]
        );
        assert!(buf.finish().is_empty());
    }

    #[test]
    fn a_character_cut_in_two_survives() {
        let text = "{\"m\":\"é✓\"}\n".as_bytes();
        let mut buf = LineBuffer::default();
        let mut lines = Vec::new();
        for byte in text {
            lines.extend(buf.push(std::slice::from_ref(byte)));
        }
        assert_eq!(lines, vec!["{\"m\":\"é✓\"}".to_string()]);
    }

    #[test]
    fn the_last_line_needs_no_newline() {
        let mut buf = LineBuffer::default();
        assert_eq!(buf.push(b"one\r\ntwo"), vec!["one".to_string()]);
        assert_eq!(buf.finish(), vec!["two".to_string()]);
        assert!(buf.finish().is_empty());
    }
}
