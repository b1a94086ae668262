//! Custom rules (`[[custom-rule]]`): a JSONPath selection over each key policy and one test
//! on what it selects. The policy is queried as a serde_json value (jsonpath-rust), and each
//! result's normalized path (`$['Statement'][0]['Principal']`) is followed back through the
//! span tree, so a finding points at the selected value in the original file.

use jsonpath_rust::parser::model::JpQuery;
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use regex::Regex;

use crate::model::Policy;
use crate::rule::{Reporter, RuleRef};
use crate::tree::{Node, Span, Value};

/// What a custom rule tests on the selected values.
#[derive(Debug, Clone)]
pub enum Test {
    /// No selected value may match.
    Forbid(Regex),
    /// Every selected value must match.
    Require(Regex),
    /// The selection must not be empty.
    Exists,
    /// The selection must be empty.
    Absent,
}

/// A compiled `[[custom-rule]]`.
#[derive(Debug, Clone)]
pub struct CustomRule {
    /// Its metadata (code, name, severity) as every output format needs it.
    pub rule: RuleRef,
    /// The JSONPath as written.
    pub select: String,
    query: JpQuery,
    pub test: Test,
    /// The message, with `{value}` and `{path}` replaced per finding.
    pub message: String,
    pub help: Option<String>,
}

/// A JSONPath that does not parse.
pub fn parse_select(select: &str) -> Result<JpQuery, String> {
    parse_json_path(select).map_err(|e| {
        let text = e.to_string();
        // pest's report spans lines; keep its last line, which says what was expected.
        let detail = text
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty() && *l != "|")
            .unwrap_or("")
            .trim_start_matches("= ")
            .to_string();
        format!("`{select}` is not a valid JSONPath: {detail}")
    })
}

impl CustomRule {
    pub fn new(
        rule: RuleRef,
        select: String,
        query: JpQuery,
        test: Test,
        message: String,
        help: Option<String>,
    ) -> CustomRule {
        CustomRule {
            rule,
            select,
            query,
            test,
            message,
            help,
        }
    }

    /// One line on what the rule finds, for listings and SARIF.
    pub fn summary(select: &str, test: &Test) -> String {
        match test {
            Test::Forbid(re) => format!("a value at `{select}` matches `{}`", re.as_str()),
            Test::Require(re) => format!("a value at `{select}` does not match `{}`", re.as_str()),
            Test::Exists => format!("the policy has nothing at `{select}`"),
            Test::Absent => format!("the policy has something at `{select}`"),
        }
    }

    /// Run the rule on a policy; `json` is the policy as serde_json sees it ([`to_json`]).
    pub fn check(&self, policy: &Policy<'_>, json: &serde_json::Value, out: &mut Reporter) {
        let Ok(results) = js_path_process(&self.query, json) else {
            return;
        };
        let mut selected: Vec<(&Node, String)> = results
            .into_iter()
            .filter_map(|r| node_at(policy.root, &r.path).map(|n| (n, r.path)))
            .collect();
        selected.sort_by_key(|(n, _)| (n.span.start, n.span.end));
        selected.dedup_by_key(|(n, _)| n.span);
        match &self.test {
            Test::Exists => {
                if selected.is_empty() {
                    self.report(out, policy.anchor(), "", &self.select);
                }
            }
            Test::Absent => {
                for (node, path) in &selected {
                    self.report(out, node.span, &value_text(node), path);
                }
            }
            Test::Forbid(re) | Test::Require(re) => {
                let forbid = matches!(self.test, Test::Forbid(_));
                for (node, path) in &selected {
                    let mut tested = Vec::new();
                    testable(node, path, &mut tested);
                    for (value, text, path) in tested {
                        if re.is_match(&text) == forbid {
                            self.report(out, value.span, &text, &path);
                        }
                    }
                }
            }
        }
    }

    fn report(&self, out: &mut Reporter, span: Span, value: &str, path: &str) {
        let message = self
            .message
            .replace("{value}", value)
            .replace("{path}", path);
        let finding = out.report(span, message);
        if let Some(help) = &self.help {
            finding.help(help.clone());
        }
    }
}

/// The values a regex test looks at: strings, numbers and booleans as written; arrays
/// element by element. Objects, null and unresolved template values are not tested.
fn testable<'n>(node: &'n Node, path: &str, out: &mut Vec<(&'n Node, String, String)>) {
    match &node.value {
        Value::String(s) => out.push((node, s.clone(), path.to_string())),
        Value::Number(n) => out.push((node, n.clone(), path.to_string())),
        Value::Bool(b) => out.push((node, b.to_string(), path.to_string())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                testable(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Null | Value::Object(_) | Value::Unknown(_) => {}
    }
}

/// A value for `{value}`: scalars as written, other values by their kind.
fn value_text(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Unknown(u) => u.description.clone(),
        _ => node.type_name().to_string(),
    }
}

/// The policy as serde_json sees it: a repeated key keeps its last value, as every JSON
/// parser AWS uses does; an unresolved template value is `null`.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null | Value::Unknown(_) => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => serde_json::from_str::<serde_json::Number>(n)
            .map(J::Number)
            .unwrap_or_else(|_| J::String(n.clone())),
        Value::String(s) => J::String(s.clone()),
        Value::Array(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Object(members) => J::Object(
            members
                .iter()
                .map(|m| (m.key.clone(), to_json(&m.value)))
                .collect(),
        ),
    }
}

/// The node a normalized path (RFC 9535: `$['a'][0]['b\'c']`) leads to. A repeated key leads
/// to its last occurrence, as in [`to_json`].
pub fn node_at<'n>(root: &'n Node, path: &str) -> Option<&'n Node> {
    let mut node = root;
    let mut rest = path.strip_prefix('$')?;
    while !rest.is_empty() {
        rest = rest.strip_prefix('[')?;
        if let Some(quoted) = rest.strip_prefix('\'') {
            let (key, after) = unquote(quoted)?;
            rest = after.strip_prefix(']')?;
            node = &node.members().iter().rfind(|m| m.key == key)?.value;
        } else {
            let end = rest.find(']')?;
            let index: usize = rest[..end].parse().ok()?;
            rest = &rest[end + 1..];
            match &node.value {
                Value::Array(items) => node = items.get(index)?,
                _ => return None,
            }
        }
    }
    Some(node)
}

/// A single-quoted name of a normalized path, up to its closing quote: the name and the text
/// after the quote.
fn unquote(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' => return Some((out, &s[i + 1..])),
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let hex: String = (0..4)
                            .filter_map(|_| chars.next().map(|(_, h)| h))
                            .collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    other => out.push(other),
                }
            }
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PolicyContext;
    use crate::rule::{Finding, RuleMeta, Severity};
    use crate::tree::json;

    fn run(text: &str, select: &str, test: Test) -> Vec<(String, String)> {
        let root = json::parse(text).unwrap();
        let policy = Policy::new(&root, text, &PolicyContext::default());
        let rule = CustomRule::new(
            RuleRef::Custom(std::sync::Arc::new(RuleMeta {
                code: "ORG001".to_string(),
                name: "test-rule".to_string(),
                severity: Severity::Error,
                summary: String::new(),
                doc: String::new(),
            })),
            select.to_string(),
            parse_select(select).unwrap(),
            test,
            "`{value}` at {path}".to_string(),
            None,
        );
        let mut findings: Vec<Finding> = Vec::new();
        rule.check(&policy, &to_json(&root), &mut Reporter::new(&mut findings));
        findings
            .into_iter()
            .map(|f| {
                (
                    text[f.span.start as usize..f.span.end as usize].to_string(),
                    f.message,
                )
            })
            .collect()
    }

    const POLICY: &str = r#"{"Statement": [
  {"Sid": "A", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::999988887777:role/X"]}, "Action": "kms:*"},
  {"Sid": "B", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/it's"}, "Action": ["kms:Decrypt", 7]}
]}"#;

    #[test]
    fn require_tests_arrays_element_by_element_and_points_at_each() {
        let found = run(
            POLICY,
            "$.Statement[*].Principal.AWS",
            Test::Require(Regex::new(r"^arn:aws:iam::(111122223333|444455556666):").unwrap()),
        );
        assert_eq!(
            found,
            [(
                "\"arn:aws:iam::999988887777:role/X\"".to_string(),
                "`arn:aws:iam::999988887777:role/X` at $['Statement'][0]['Principal']['AWS'][1]"
                    .to_string()
            )]
        );
    }

    #[test]
    fn forbid_matches_numbers_as_written_and_filters_work() {
        let found = run(
            POLICY,
            "$.Statement[?@.Sid == 'B'].Action",
            Test::Forbid(Regex::new("^(7|kms:Decrypt)$").unwrap()),
        );
        let values: Vec<&str> = found.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(values, ["\"kms:Decrypt\"", "7"]);
    }

    #[test]
    fn exists_reports_at_the_statement_key_and_absent_at_each_value() {
        let found = run(POLICY, "$.Statement[?@.Effect == 'Deny']", Test::Exists);
        assert_eq!(
            found,
            [(
                "\"Statement\"".to_string(),
                "`` at $.Statement[?@.Effect == 'Deny']".to_string()
            )]
        );
        assert!(run(POLICY, "$.Statement[?@.Effect == 'Allow']", Test::Exists).is_empty());
        let found = run(POLICY, "$..Sid", Test::Absent);
        assert_eq!(
            found.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
            ["\"A\"", "\"B\""]
        );
    }

    #[test]
    fn normalized_paths_lead_back_to_nodes_with_escapes_and_repeated_keys() {
        let text = r#"{"a'b": [1, {"k": 1, "k": "last"}], "\n": true}"#;
        let root = json::parse(text).unwrap();
        let at =
            |p: &str| node_at(&root, p).map(|n| &text[n.span.start as usize..n.span.end as usize]);
        assert_eq!(at(r"$['a\'b'][1]['k']"), Some("\"last\""));
        assert_eq!(at(r"$['\n']"), Some("true"));
        assert_eq!(at(r"$['\u000a']"), Some("true"));
        assert_eq!(at("$['a\\'b'][5]"), None);
        assert_eq!(at("$"), Some(text));
        let json = to_json(&root);
        let paths = jsonpath_rust::query::js_path_path("$..k", &json).unwrap();
        assert_eq!(paths, ["$['a\\'b'][1]['k']"]);
    }

    #[test]
    fn invalid_jsonpath_says_why() {
        let e = parse_select("$.Statement[").unwrap_err();
        assert!(
            e.starts_with("`$.Statement[` is not a valid JSONPath: "),
            "{e}"
        );
        assert!(!e.contains('\n'), "{e}");
    }
}
