//! Columns padded like kubectl's printer: left-aligned, three spaces apart, headers in capitals.

/// A table being filled row by row.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_uppercase()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text, with or without its header line; no trailing spaces.
    pub fn render(&self, headers: bool) -> String {
        let lines: Vec<&Vec<String>> = if headers {
            std::iter::once(&self.headers).chain(&self.rows).collect()
        } else {
            self.rows.iter().collect()
        };
        let columns = lines.iter().map(|l| l.len()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                lines
                    .iter()
                    .filter_map(|l| l.get(i))
                    .map(|c| visible_width(c))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for line in lines {
            let mut text = String::new();
            for (i, cell) in line.iter().enumerate() {
                text.push_str(cell);
                if i + 1 < line.len() {
                    let pad = widths[i] - visible_width(cell) + 3;
                    text.push_str(&" ".repeat(pad));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Width on screen: characters, not counting colour escapes.
fn visible_width(text: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in text.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => width += 1,
        }
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_three_spaces_apart() {
        let mut table = Table::new(&["name", "ready"]);
        table.row(vec!["member1".into(), "True".into()]);
        table.row(vec!["m2".into(), "\x1b[31mFalse\x1b[0m".into()]);
        assert_eq!(
            table.render(true),
            "NAME      READY\nmember1   True\nm2        \x1b[31mFalse\x1b[0m\n"
        );
        assert_eq!(table.render(false).lines().count(), 2);
    }
}
