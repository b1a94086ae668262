//! `--statistics`: how many findings each rule has, most first (like ruff's).

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::rule::RuleRef;

/// Findings counted per rule.
#[derive(Debug, Default)]
pub struct Statistics {
    counts: Vec<(RuleRef, usize)>,
}

#[derive(Serialize)]
struct Row<'a> {
    code: &'a str,
    name: &'a str,
    count: usize,
}

impl Statistics {
    pub fn add(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match self.counts.iter_mut().find(|(r, _)| r.is(&d.rule)) {
                Some((_, n)) => *n += 1,
                None => self.counts.push((d.rule.clone(), 1)),
            }
        }
    }

    /// Most findings first, then by code.
    fn sorted(&self) -> Vec<(RuleRef, usize)> {
        let mut rows = self.counts.clone();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.code().cmp(b.0.code())));
        rows
    }

    /// One line per rule: count, code, name, in aligned columns.
    pub fn text(&self) -> String {
        let rows = self.sorted();
        let width = rows
            .iter()
            .map(|(_, n)| n.to_string().len())
            .max()
            .unwrap_or(1);
        let code_width = rows.iter().map(|(r, _)| r.code().len()).max().unwrap_or(0);
        rows.iter()
            .map(|(r, n)| format!("{n:>width$}\t{:<code_width$}\t{}\n", r.code(), r.name()))
            .collect()
    }

    /// `[{"code", "name", "count"}]`, most first.
    pub fn json(&self) -> String {
        let sorted = self.sorted();
        let rows: Vec<Row> = sorted
            .iter()
            .map(|(r, n)| Row {
                code: r.code(),
                name: r.name(),
                count: *n,
            })
            .collect();
        serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
    }
}
